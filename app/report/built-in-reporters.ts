// The reporters `deskpilot test` has built in, apart from their code (which renders with React):
// the command line names them in its help before it loads any of it.

export const BUILT_IN_REPORTERS = ['list', 'junit', 'html'] as const;
export type BuiltInReporter = (typeof BUILT_IN_REPORTERS)[number];
