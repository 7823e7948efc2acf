import fc from 'fast-check';

// Every property test can be re-run with the seed its failure printed: fast-check puts
// `{ seed: N, path: "..." }` in the failure message, and FC_SEED=N (and FC_PATH) replays it.
const seed = process.env.FC_SEED;
if (seed !== undefined && seed !== '') {
  const path = process.env.FC_PATH;
  fc.configureGlobal({ seed: Number(seed), ...(path ? { path } : {}) });
}
