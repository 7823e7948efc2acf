import { z } from 'zod';

// With nothing configured, a Qwen3-VL model on a local server is the natural choice: look for one,
// briefly, where Ollama and LM Studio listen by default.

export type LocalServer = { readonly name: string; readonly baseURL: string };

export const DEFAULT_LOCAL_SERVERS: readonly LocalServer[] = [
  { name: 'Ollama', baseURL: 'http://127.0.0.1:11434/v1' },
  { name: 'LM Studio', baseURL: 'http://127.0.0.1:1234/v1' },
];

export type LocalModel = LocalServer & { readonly model: string };

const ModelList = z.object({ data: z.array(z.object({ id: z.string() })) });
const QWEN3_VL = /qwen\W?3\W?vl/i;

export async function detectLocalModel(servers: readonly LocalServer[] = DEFAULT_LOCAL_SERVERS, timeoutMs = 800): Promise<LocalModel | undefined> {
  const found = await Promise.all(
    servers.map(async (server) => {
      try {
        const response = await fetch(`${server.baseURL}/models`, { signal: AbortSignal.timeout(timeoutMs) });
        if (!response.ok) return undefined;
        const list = ModelList.safeParse(await response.json());
        const model = list.success ? list.data.data.find((entry) => QWEN3_VL.test(entry.id)) : undefined;
        return model ? { ...server, model: model.id } : undefined;
      } catch {
        return undefined;
      }
    }),
  );
  return found.find((entry) => entry !== undefined);
}
