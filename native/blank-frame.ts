import sharp from 'sharp';

/** Whether an encoded image is one flat colour: what a screen that cannot be seen captures as (Wayland windows, a locked screen). */
export async function isBlankFrame(image: Uint8Array): Promise<boolean> {
  const stats = await sharp(image).removeAlpha().stats();
  return stats.channels.every((channel) => channel.min === channel.max);
}
