// Texts for the typing stress test and the bench, from a seed: letters of many scripts, symbols,
// emoji outside the Basic Multilingual Plane, spaces, and tabs and line breaks where the program
// takes them. No control characters and no combining marks (a combining mark is exact too, but
// shows up attached to its neighbour, which makes a failure hard to read).

const POOLS: readonly (readonly string[])[] = [
  Array.from('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'),
  Array.from('@#$%^&*_+{}|:"<>?~!()`-=[]\\;\',./'),
  Array.from('àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßÀÉÎÕÜÇÑØÅÆŒœŁłŚśŽžĞğİıŐőŰűĀāĒēČčŘřŞş'),
  Array.from('αβγδεζηθικλμνξοπρστυφχψωάέήίόύώΑΒΓΔΘΛΞΠΣΦΨΩ'),
  Array.from('абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЭЮЯіїєґ'),
  Array.from('אבגדהוזחטיכלמנסעפצקרשת'),
  Array.from('ابتثجحخدذرزسشصضطظعغفقكلمنهوي'),
  Array.from('कखगघचछजझटठडढणतथदधनपफबभमयरलवशसह'),
  Array.from('日本語中文字漢東京大阪北京上海猫犬山川水火'),
  Array.from('ひらがなカタカナ'),
  Array.from('한국어글자서울부산'),
  Array.from('กขคงจฉชซญดตถทนบปผพฟภมยรลวสหอฮ'),
  Array.from('€£¥¢©®°±×÷§¶•…–—“”‘’«»←→↑↓∞≠≤≥√∑∏π∆µ№'),
  Array.from('😀😂🙂👍👋🎉🚀🌍🐍🍕🔥💡📦🧪🦀🎵'),
];

export type StressOptions = {
  /** Line breaks inside the strings (a textarea, a terminal; not a one-line entry). */
  readonly newlines?: boolean;
  /** Tabs (a terminal; a form field moves the focus on Tab). */
  readonly tabs?: boolean;
  readonly minLength?: number;
  readonly maxLength?: number;
};

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same strings everywhere. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from `TYPING_STRESS_SEED`, or a fresh one; the caller prints it so a failure can be re-run. */
export function stressSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.TYPING_STRESS_SEED;
  return given !== undefined && given !== '' ? Number(given) >>> 0 : Math.floor(Math.random() * 2 ** 32);
}

/** `count` strings from `seed`; each mixes a few pools, as real text mixes a few scripts. */
export function stressStrings(seed: number, count: number, options: StressOptions = {}): string[] {
  const random = seededRandom(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const minLength = options.minLength ?? 1;
  const maxLength = options.maxLength ?? 40;
  const strings: string[] = [];
  for (let index = 0; index < count; index++) {
    const length = minLength + Math.floor(random() * (maxLength - minLength + 1));
    const pools = Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(POOLS));
    let text = '';
    for (let position = 0; position < length; position++) {
      const roll = random();
      if (roll < 0.12) text += ' ';
      else if (options.tabs && roll < 0.15) text += '\t';
      else if (options.newlines && roll < 0.18) text += '\n';
      else text += pick(pick(pools));
    }
    strings.push(text);
  }
  return strings;
}

/** Characters (code points) of `expected` missing from `actual`: its length less their longest common subsequence. */
export function lostCharacters(expected: string, actual: string): number {
  const a = Array.from(expected);
  const b = Array.from(actual);
  let previous = new Array<number>(b.length + 1).fill(0);
  for (const character of a) {
    const row = new Array<number>(b.length + 1).fill(0);
    for (let column = 1; column <= b.length; column++) row[column] = character === b[column - 1] ? (previous[column - 1] as number) + 1 : Math.max(previous[column] as number, row[column - 1] as number);
    previous = row;
  }
  return a.length - (previous[b.length] as number);
}

/** One program's figures: strings typed, their characters, and what did not come back exact. */
export type StressTally = {
  readonly program: string;
  readonly seed: number;
  strings: number;
  characters: number;
  /** Strings not read back exactly. */
  wrongStrings: number;
  /** Characters missing from what was read back (see lostCharacters). */
  lostCharacters: number;
  /** Characters read back that were never typed. */
  extraCharacters: number;
  /** The first few strings that came back wrong, for the failure message. */
  readonly examples: { expected: string; actual: string }[];
  /** Typing time per string (the `type` action alone), for the record. */
  readonly typeMs: number[];
};

export function newTally(program: string, seed: number): StressTally {
  return { program, seed, strings: 0, characters: 0, wrongStrings: 0, lostCharacters: 0, extraCharacters: 0, examples: [], typeMs: [] };
}

export function recordString(tally: StressTally, expected: string, actual: string, typeMs: number): void {
  tally.strings += 1;
  tally.characters += Array.from(expected).length;
  tally.typeMs.push(typeMs);
  if (actual === expected) return;
  tally.wrongStrings += 1;
  tally.lostCharacters += lostCharacters(expected, actual);
  tally.extraCharacters += lostCharacters(actual, expected);
  if (tally.examples.length < 5) tally.examples.push({ expected, actual });
}

export function describeTally(tally: StressTally): string {
  const sorted = [...tally.typeMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `${tally.program}: ${tally.strings} strings, ${tally.characters} characters, ${tally.lostCharacters} lost, ${tally.extraCharacters} extra, ${tally.wrongStrings} strings wrong (seed ${tally.seed}; type median ${median.toFixed(1)} ms)`;
}
