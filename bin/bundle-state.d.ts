/** 'fresh', 'absent', or the first source (relative to `root`) newer than dist/cli's bundle, or gone. */
export function bundleState(root: URL): 'fresh' | 'absent' | (string & {});
