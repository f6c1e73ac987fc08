import type { StreamDataEvent, StreamMessages } from '@mcpdir/metrics/protocol'

/** A message the hub fans out: one of the stream's data events (`ready` and `overflow` are per connection). */
export type StreamMessage = { [K in StreamDataEvent]: { event: K; data: StreamMessages[K] } }[StreamDataEvent]

export interface Subscriber {
  /** Called for each message of the server; must not block. */
  push(message: StreamMessage): void
  /** The service is stopping: end the stream. */
  close(): void
}

/** Fans accepted batches and usage out to the live streams of their server, in this process. */
export class LiveHub {
  private readonly subscribers = new Map<string, Set<Subscriber>>()

  subscribe(serverId: string, subscriber: Subscriber): () => void {
    let set = this.subscribers.get(serverId)
    if (!set) {
      set = new Set()
      this.subscribers.set(serverId, set)
    }
    set.add(subscriber)
    return () => {
      set.delete(subscriber)
      if (set.size === 0) this.subscribers.delete(serverId)
    }
  }

  /** Ends every stream (shutdown). */
  closeAll(): void {
    for (const set of this.subscribers.values()) for (const subscriber of set) subscriber.close()
  }

  hasSubscribers(serverId: string): boolean {
    return this.subscribers.has(serverId)
  }

  publish(serverId: string, message: StreamMessage): void {
    for (const subscriber of this.subscribers.get(serverId) ?? []) subscriber.push(message)
  }
}
