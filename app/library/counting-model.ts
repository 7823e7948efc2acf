import type { Model, ModelReply, ModelRequest } from '../../agent/ports.ts';

/** The model, counting the requests it was sent: what a cached run is judged by (none, on an unchanged screen). */
export class CountingModel implements Model {
  requests = 0;
  constructor(private readonly inner: Model) {}
  get name(): string {
    return this.inner.name;
  }
  complete(request: ModelRequest, signal?: AbortSignal): Promise<ModelReply> {
    this.requests += 1;
    return this.inner.complete(request, signal);
  }
}
