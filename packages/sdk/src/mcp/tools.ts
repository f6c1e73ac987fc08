// McpServer answers a tool that threw with an `isError` result, indistinguishable on the wire from a tool that
// returned one, and refuses unknown tools and bad arguments the same way in v1. To tell them apart without
// its private methods, the callbacks registered through its public API (`registerTool`, v1's `tool`, and a
// registered tool's `update({ callback })`) are wrapped: each notes on its pending request what it did.
import { ToolRun } from './classify'
import type { Instance } from './observe'

type Callback = (...args: unknown[]) => unknown
type Registered = { update?: (updates: Record<string, unknown>) => unknown }

/** The request id in a tool callback's last argument: v1's `extra.requestId`, v2's `ctx.mcpReq.id`. */
function requestId(extra: unknown): string | number | undefined {
  const e = extra as { requestId?: string | number; mcpReq?: { id?: string | number } } | undefined
  return typeof e === 'object' && e !== null ? (e.requestId ?? e.mcpReq?.id) : undefined
}

function wrapCallback(callback: Callback, instance: Instance): Callback {
  return function (this: unknown, ...args: unknown[]) {
    let pending: { run: ToolRun } | undefined
    try {
      const id = requestId(args[args.length - 1])
      pending = id === undefined ? undefined : instance.current?.pending.get(id)
    } catch {
      pending = undefined // never break the host
    }
    if (!pending) return callback.apply(this, args)
    const request = pending
    let result: unknown
    try {
      result = callback.apply(this, args)
    } catch (error) {
      request.run = ToolRun.Threw
      throw error
    }
    return Promise.resolve(result).then(
      (value) => {
        request.run = (value as { isError?: unknown } | undefined)?.isError === true ? ToolRun.ReturnedError : ToolRun.Returned
        return value
      },
      (error: unknown) => {
        request.run = ToolRun.Threw
        throw error
      },
    )
  }
}

function wrapUpdate(registered: unknown, name: unknown, instance: Instance): void {
  const tool = registered as Registered | undefined
  const update = tool?.update
  if (!tool || typeof update !== 'function') return
  tool.update = function (this: unknown, updates: Record<string, unknown>) {
    let next = updates
    try {
      if (typeof updates?.callback === 'function') next = { ...updates, callback: wrapCallback(updates.callback as Callback, instance) }
      if (typeof updates?.name === 'string') (instance.tools ??= new Set()).add(updates.name)
    } catch {
      next = updates // never break the host
    }
    return update.call(this, next)
  }
  if (typeof name === 'string') (instance.tools ??= new Set()).add(name)
}

/** Replaces `registerTool` (and v1's `tool`) on one McpServer with versions that wrap the callback. */
export function wrapToolRegistration(mcp: Record<string, unknown>, instance: Instance): void {
  for (const method of ['registerTool', 'tool']) {
    const original = mcp[method]
    if (typeof original !== 'function') continue
    mcp[method] = function (this: unknown, ...args: unknown[]) {
      try {
        const last = args.length - 1
        if (typeof args[last] === 'function') args[last] = wrapCallback(args[last] as Callback, instance)
      } catch {
        // never break the host
      }
      const registered: unknown = original.apply(this, args)
      try {
        wrapUpdate(registered, args[0], instance)
      } catch {
        // never break the host
      }
      return registered
    }
  }
}
