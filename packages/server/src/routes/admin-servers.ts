import { Hono } from 'hono'
import { z } from 'zod'
import { describeIssues, parseWith, serverIdProblem } from '@mcpdir/metrics/protocol'
import { adminAlerts } from './admin-alerts'
import { ApiError } from '../http/api-error'
import type { AppEnv } from '../app/app-env'
import { requireAdmin } from '../http/auth'
import { readJson } from '../http/read-json'
import { registerServer, rotateServerKeys } from '../credentials/server-credentials'
import { StoreConflictError } from '../store/store'

const createBody = z.object({
  id: z.string(),
  name: z.string().min(1).max(200).optional(),
  private: z.boolean().optional(),
  require_signature: z.boolean().optional(),
})

/**
 * `/functions/v1/admin/servers`: register, list, rotate and remove servers, and their alert rules under
 * `/:id/alerts` (admin-alerts.ts); admin key as Bearer.
 */
export function adminServers() {
  return new Hono<AppEnv>()
    .use(async (c, next) => {
      requireAdmin(c)
      await next()
    })
    .get('/', async (c) => c.json({ success: true, servers: await c.var.deps.store.listServers() }))
    .post('/', async (c) => {
      const { store, clock } = c.var.deps
      const parsed = parseWith(createBody, readJson(c.var.body))
      if (!parsed.ok) throw new ApiError(400, 'invalid_body', describeIssues(parsed.issues), parsed.issues[0]?.path)
      const problem = serverIdProblem(parsed.value.id)
      if (problem) throw new ApiError(400, 'invalid_body', problem, 'id')
      try {
        const shown = await registerServer(
          store,
          {
            id: parsed.value.id,
            ...(parsed.value.name !== undefined && { name: parsed.value.name }),
            isPrivate: parsed.value.private ?? false,
            requireSignature: parsed.value.require_signature ?? true,
          },
          clock(),
        )
        return c.json({ success: true, ...shown }, 201)
      } catch (error) {
        if (error instanceof StoreConflictError) throw new ApiError(409, 'conflict', error.message, 'id')
        throw error
      }
    })
    .post('/:id/rotate', async (c) => {
      const { store, clock, config } = c.var.deps
      const shown = await rotateServerKeys(store, c.req.param('id'), config.keyGraceMs, clock())
      if (!shown) throw new ApiError(404, 'not_found', `no server ${c.req.param('id')}`)
      return c.json({ success: true, ...shown, previous_valid_until: new Date(clock() + config.keyGraceMs).toISOString() })
    })
    .route('/:id/alerts', adminAlerts())
    .delete('/:id', async (c) => {
      if (!(await c.var.deps.store.deleteServer(c.req.param('id')))) throw new ApiError(404, 'not_found', `no server ${c.req.param('id')}`)
      return c.json({ success: true })
    })
}
