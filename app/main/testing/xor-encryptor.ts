import type { Encryptor } from '../settings-store.ts';

/**
 * Stands in for Electron's safeStorage in tests: reversible, visibly not plain text, and keyed, so a
 * store opened with another key cannot read what this one wrote (as after a keychain change).
 */
export class XorEncryptor implements Encryptor {
  constructor(
    private readonly available = true,
    private readonly key = 0x5a,
  ) {}

  isAvailable(): boolean {
    return this.available;
  }

  encrypt(plain: string): Uint8Array {
    return Uint8Array.from([0x01, ...Buffer.from(plain, 'utf8').map((byte) => byte ^ this.key)]);
  }

  decrypt(cipher: Uint8Array): string {
    if (cipher[0] !== 0x01) throw new Error('Not encrypted by this encryptor.');
    const text = Buffer.from(cipher.subarray(1).map((byte) => byte ^ this.key)).toString('utf8');
    if (!/^[\x20-\x7e]*$/.test(text)) throw new Error('Encrypted with another key.');
    return text;
  }
}
