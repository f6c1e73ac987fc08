import type { AlertCreatedResponse, AlertListResponse } from '@mcpdir/metrics/protocol'
import { Hono } from 'hono'
import type { AppEnv } from '../app/app-env'
import { ApiError } from '../http/api-error'
import { readJson } from '../http/read-json'
import { addRule, ruleView } from '../alerts/rules'

/**
 * `/functions/v1/admin/servers/:id/alerts` (mounted by admin-servers.ts, behind its admin key check): `GET` a
 * server's rules, `POST` a rule (answered with its signing secret, this once), `DELETE /:alertId`.
 */
export function adminAlerts() {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const { store } = c.var.deps
      const serverId = c.req.param('id') as string
      if (!(await store.getServer(serverId))) throw new ApiError(404, 'not_found', `no server ${serverId}`)
      const body: AlertListResponse = { success: true, alerts: (await store.listAlertRules(serverId)).map(ruleView) }
      return c.json(body)
    })
    .post('/', async (c) => {
      const { store, clock, alerts } = c.var.deps
      const serverId = c.req.param('id') as string
      const added = await addRule(store, serverId, readJson(c.var.body), alerts.policy(), clock())
      if (!added.ok) throw new ApiError(added.status, added.status === 404 ? 'not_found' : 'invalid_body', added.message, added.path)
      const body: AlertCreatedResponse = { success: true, ...ruleView(added.rule), secret: added.secret }
      return c.json(body, 201)
    })
    .delete('/:alertId', async (c) => {
      const serverId = c.req.param('id') as string
      const alertId = Number(c.req.param('alertId'))
      if (!Number.isSafeInteger(alertId) || !(await c.var.deps.store.deleteAlertRule(alertId, serverId))) {
        throw new ApiError(404, 'not_found', `no alert ${c.req.param('alertId')} on server ${serverId}`)
      }
      return c.json({ success: true })
    })
}
