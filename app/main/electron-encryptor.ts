import type { SafeStorage } from 'electron';
import type { Encryptor } from './settings-store.ts';

/**
 * Electron's safeStorage as the settings store's encryptor. On Linux without a Secret Service or
 * KWallet, safeStorage "encrypts" with a fixed key (the basic_text backend): that is as good as a
 * plain file, so it counts as no keychain.
 */
export function electronEncryptor(safeStorage: Pick<SafeStorage, 'isEncryptionAvailable' | 'getSelectedStorageBackend' | 'encryptString' | 'decryptString'>, platform: NodeJS.Platform): Encryptor {
  return {
    isAvailable: () => safeStorage.isEncryptionAvailable() && (platform !== 'linux' || safeStorage.getSelectedStorageBackend() !== 'basic_text'),
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (cipher) => safeStorage.decryptString(Buffer.from(cipher)),
  };
}
