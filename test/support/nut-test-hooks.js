// Loaded into a `deskpilot` child process with `NODE_OPTIONS=--import <this file>` to make key
// presses misbehave on purpose, so a test can stop or crash the real command line in the middle of
// a key combo. Plain JavaScript: it runs before tsx is registered. Settings, from the environment:
//   DESKPILOT_TEST_KEY_DELAY_MS=N       every key press takes N ms more (a slow keyboard)
//   DESKPILOT_TEST_CRASH_ON_PRESS=N     after the Nth press, an uncaught exception, and the press never returns
//   DESKPILOT_TEST_WEDGE_ON_PRESS=N     the Nth press never returns, while something stays pending (hung I/O)
//   DESKPILOT_TEST_STALL_ON_PRESS=N     the Nth press never returns, with nothing left pending
//   DESKPILOT_TEST_HOOK_LOG=stderr      announce presses on stderr (for `deskpilot mcp`, whose stdout is the protocol)
// Each press is announced on stdout as `[hook] pressed <key> #<n>`, for the test to time its signals.
import { createRequire } from 'node:module';

const delayMs = Number(process.env.DESKPILOT_TEST_KEY_DELAY_MS ?? 0);
const crashOn = Number(process.env.DESKPILOT_TEST_CRASH_ON_PRESS ?? 0);
const wedgeOn = Number(process.env.DESKPILOT_TEST_WEDGE_ON_PRESS ?? 0);
const stallOn = Number(process.env.DESKPILOT_TEST_STALL_ON_PRESS ?? 0);

// The same module instance the command line loads later (CommonJS, one cache entry per file).
const require = createRequire(import.meta.url);
const { keyboard } = require('@nut-tree-fork/nut-js');
const pressKey = keyboard.pressKey.bind(keyboard);
let presses = 0;

keyboard.pressKey = async (...keys) => {
  await pressKey(...keys);
  presses += 1;
  (process.env.DESKPILOT_TEST_HOOK_LOG === 'stderr' ? process.stderr : process.stdout).write(`[hook] pressed ${keys.join('+')} #${presses}\n`);
  if (presses === crashOn) {
    setTimeout(() => {
      throw new Error(`injected crash after key press #${presses}`);
    }, 0);
    return new Promise(() => {});
  }
  if (presses === wedgeOn) {
    setInterval(() => {}, 1000);
    return new Promise(() => {});
  }
  if (presses === stallOn) return new Promise(() => {});
  if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
};
