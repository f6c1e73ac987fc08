// Alert rules, their state, deliveries, attempts and leases, on the store directly: transitions and claims made
// by several callers at once happen once each.
import { describe, expect, it } from 'vitest'
import type { NewAlertRule, NewDelivery } from '../alert-store'
import { credentials, type Harness, MIN, newServer, sharedStore, T0 } from './harness'

const rule = (serverId: string, overrides: Partial<NewAlertRule> = {}): NewAlertRule => ({
  serverId,
  metric: 'error_rate',
  condition: 'above',
  threshold: 0.05,
  windowMs: 10 * MIN,
  webhookUrl: 'https://hooks.example.com/a',
  secret: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=',
  ...overrides,
})

const delivery = (id: string, ruleId: number, at = T0): NewDelivery => ({ id, ruleId, type: 'alert.firing', payload: `{"n":"${id}"}`, createdAt: at, dueAt: at })

export function alertTests(h: Harness) {
  describe('alert rules, deliveries and leases', () => {
    const under = sharedStore(h)

    it('creates, reads, lists and deletes rules; none for a missing server', async () => {
      const { store } = under
      await store.createServer(newServer('al-a'), credentials('al-a'), T0)
      await store.createServer(newServer('al-b'), credentials('al-b'), T0)
      const a = await store.createAlertRule(rule('al-a'), T0)
      const b = await store.createAlertRule(rule('al-b', { metric: 'silence', condition: null, threshold: null }), T0 + 1)
      const d = await store.createAlertRule(rule('al-a', { metric: 'digest', condition: null, threshold: null, windowMs: 7 * 1440 * MIN }), T0 + 2)
      expect(await store.createAlertRule(rule('nobody'), T0)).toBeUndefined()
      expect(a).toEqual({
        ...rule('al-a'),
        id: a?.id,
        createdAt: T0,
        state: { status: 'ok', since: T0, pendingSince: null, evaluatedTo: null, value: null, digestWeek: null, version: 0 },
      })
      expect(b?.threshold).toBeNull()
      expect(await store.getAlertRule(a?.id as number)).toEqual(a)
      expect((await store.listAlertRules('al-a')).map((r) => r.id)).toEqual([a?.id, d?.id])
      expect((await store.listAlertRules()).map((r) => r.id)).toEqual(expect.arrayContaining([a?.id, b?.id, d?.id]))
      expect(await store.deleteAlertRule(a?.id as number, 'al-b')).toBe(false)
      expect(await store.deleteAlertRule(a?.id as number, 'al-a')).toBe(true)
      expect(await store.deleteAlertRule(a?.id as number)).toBe(false)
      expect(await store.getAlertRule(a?.id as number)).toBeUndefined()
      // deleted with its server
      await store.deleteServer('al-b')
      expect(await store.getAlertRule(b?.id as number)).toBeUndefined()
    })

    it('makes a transition once when several callers make it from the same version', async () => {
      const { store } = under
      await store.createServer(newServer('al-cas'), credentials('al-cas'), T0)
      const r = (await store.createAlertRule(rule('al-cas'), T0)) as NonNullable<Awaited<ReturnType<typeof store.createAlertRule>>>
      const next = { status: 'firing' as const, since: T0 + 10 * MIN, pendingSince: T0, evaluatedTo: T0 + 10 * MIN, value: 0.5, digestWeek: null }
      const results = await Promise.all(Array.from({ length: 6 }, (_, i) => store.advanceAlert(r.id, 0, next, delivery(`cas-${i}`, r.id))))
      expect(results.filter(Boolean)).toHaveLength(1)
      expect((await store.getAlertRule(r.id))?.state).toEqual({ ...next, version: 1 })
      expect(await store.listDeliveries({ ruleId: r.id }, 10)).toHaveLength(1)
      expect(await store.advanceAlert(r.id, 0, { ...next, status: 'ok' })).toBe(false)
      expect(await store.advanceAlert(r.id, 1, { ...next, status: 'ok' })).toBe(true)
      await store.deleteAlertRule(r.id) // its delivery with it, out of the way of the next test's claims
    })

    it('hands each due delivery to one claimant, holds it, records attempts in order, and lists them', async () => {
      const { store } = under
      await store.createServer(newServer('al-dl'), credentials('al-dl'), T0)
      const r = (await store.createAlertRule(rule('al-dl'), T0)) as NonNullable<Awaited<ReturnType<typeof store.createAlertRule>>>
      for (let i = 0; i < 10; i++) await store.addDelivery(delivery(`dl-${i}`, r.id, T0 + i))
      await store.addDelivery({ ...delivery('dl-later', r.id, T0), dueAt: T0 + 60 * MIN })
      const claims = await Promise.all([store.claimDeliveries(T0 + MIN, 6, MIN), store.claimDeliveries(T0 + MIN, 6, MIN), store.claimDeliveries(T0 + MIN, 6, MIN)])
      const ids = claims.flat().map((c) => c.id)
      expect(ids.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `dl-${i}`).sort())
      const first = claims.flat().find((c) => c.id === 'dl-0')
      expect(first).toEqual({ id: 'dl-0', ruleId: r.id, serverId: 'al-dl', type: 'alert.firing', payload: '{"n":"dl-0"}', createdAt: T0, attempts: 0, webhookUrl: rule('al-dl').webhookUrl, secret: rule('al-dl').secret })
      // held for a minute: not handed out again before that, then again (its sender died)
      expect(await store.claimDeliveries(T0 + MIN + 59_999, 100, MIN)).toEqual([])
      expect((await store.claimDeliveries(T0 + 2 * MIN, 100, MIN)).map((c) => c.id).sort()).toEqual(ids.sort())

      const failed = { attempt: 1, at: T0 + 2 * MIN, responseStatus: 503, error: 'HTTP 503', nextAttemptAt: T0 + 3 * MIN }
      expect(await store.recordAttempt('dl-0', failed, 'pending')).toBe(true)
      expect(await store.recordAttempt('dl-0', failed, 'pending')).toBe(false) // attempt 1 is recorded already
      const ok = { attempt: 2, at: T0 + 3 * MIN, responseStatus: 204, error: null, nextAttemptAt: null }
      expect(await store.recordAttempt('dl-0', ok, 'delivered')).toBe(true)
      expect(await store.recordAttempt('dl-1', { ...failed, responseStatus: 400, error: 'HTTP 400', nextAttemptAt: null }, 'failed')).toBe(true)
      // delivered and failed ones are never claimed again
      expect((await store.claimDeliveries(T0 + 99 * MIN, 100, MIN)).map((c) => c.id)).not.toContain('dl-0')
      const [listed] = await store.listDeliveries({ serverId: 'al-dl' }, 100).then((all) => all.filter((d) => d.id === 'dl-0'))
      expect(listed).toEqual({ id: 'dl-0', ruleId: r.id, serverId: 'al-dl', type: 'alert.firing', createdAt: T0, status: 'delivered', nextAttemptAt: null, attempts: [failed, ok] })
      expect((await store.listDeliveries({ ruleId: r.id }, 3)).map((d) => d.id)).toEqual(['dl-9', 'dl-8', 'dl-7'])
      expect((await store.listDeliveries({}, 1000)).length).toBeGreaterThanOrEqual(11)
      // deleted with the rule
      await store.deleteAlertRule(r.id)
      expect(await store.listDeliveries({ ruleId: r.id }, 100)).toEqual([])
    })

    it('gives a lease to one holder at a time until it expires, and renews it for its holder', async () => {
      const { store } = under
      const takes = await Promise.all(['a', 'b', 'c'].map((holder) => store.acquireLease('job', holder, T0, MIN)))
      expect(takes.filter(Boolean)).toHaveLength(1)
      const holder = ['a', 'b', 'c'][takes.indexOf(true)] as string
      const other = holder === 'a' ? 'b' : 'a'
      expect(await store.acquireLease('job', other, T0 + MIN - 1, MIN)).toBe(false)
      expect(await store.acquireLease('job', holder, T0 + 30_000, MIN)).toBe(true) // renewed to T0 + 90 s
      expect(await store.acquireLease('job', other, T0 + MIN, MIN)).toBe(false)
      expect(await store.acquireLease('job', other, T0 + 90_000, MIN)).toBe(true)
      expect(await store.acquireLease('other-job', holder, T0, MIN)).toBe(true)
    })
  })
}
