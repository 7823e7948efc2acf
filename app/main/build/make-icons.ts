import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { ROOT } from './build-app.ts';

// Draws the app and tray icons from one SVG (a target ring with a pointer), so they can be
// regenerated rather than edited by hand: `npx tsx app/main/build/make-icons.ts`.

const mark = (colour: string, ring: string) => `
  <circle cx="232" cy="232" r="132" fill="none" stroke="${ring}" stroke-width="44"/>
  <circle cx="232" cy="232" r="34" fill="${ring}"/>
  <path d="M268 268 L268 468 L318 418 L356 492 L396 472 L358 398 L428 398 Z" fill="${colour}" stroke="${colour === '#000' ? '#000' : '#0b2a55'}" stroke-width="16" stroke-linejoin="round"/>`;

const appIcon = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">
  <rect x="16" y="16" width="480" height="480" rx="104" fill="#0b62d6"/>${mark('#ffffff', '#ff6b8a')}</svg>`;
const trayIcon = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">${mark('#ffffff', '#ff2d55')}</svg>`;
// macOS tints template images itself: black on transparent.
const templateIcon = `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512">${mark('#000', '#000')}</svg>`;

async function main() {
  const out = path.join(ROOT, 'app/main/assets');
  await mkdir(out, { recursive: true });
  const png = (svg: string, size: number) => sharp(Buffer.from(svg)).resize(size, size).png({ compressionLevel: 9 }).toBuffer();
  await writeFile(path.join(out, 'icon.png'), await png(appIcon, 512));
  await writeFile(path.join(out, 'tray.png'), await png(trayIcon, 32));
  await writeFile(path.join(out, 'trayTemplate.png'), await png(templateIcon, 16));
  await writeFile(path.join(out, 'trayTemplate@2x.png'), await png(templateIcon, 32));
}

await main();
