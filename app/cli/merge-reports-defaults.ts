// Apart from the command (which renders with React), so that the help can name it cheaply.
export const DEFAULT_MERGED_OUTPUT = 'merged-report';
