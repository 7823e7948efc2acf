// Numbers and times as the reports print them.

export const ms = (value: number): string => (value >= 10_000 ? `${(value / 1000).toFixed(0)} s` : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`);
export const num = (value: number): string => value.toLocaleString('en-US');
export const fixed = (value: number): string => (Math.round(value * 10) / 10).toString();
export const shorten = (text: string, length: number): string => (text.length > length ? `${text.slice(0, length - 1)}…` : text);
/** `1:05.3`: a place in a video. */
export const clock = (value: number): string => {
  const seconds = Math.max(0, value) / 1000;
  return `${Math.floor(seconds / 60)}:${(seconds % 60).toFixed(1).padStart(4, '0')}`;
};

