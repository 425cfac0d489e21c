import { z } from 'zod'
import { pageQuery } from '../../contracts/common.ts'
import {
  createVoucherBody,
  groupPriceBody,
  priceBody,
  rateLimitBody,
  updateGroupPriceBody,
  updatePriceBody,
  updateRateLimitBody,
  updateVoucherBody,
} from '../../contracts/billing.ts'
import { param, route, type RouteDef } from '../define-route.ts'
import { listPage } from '../../services/paging.ts'
import { createPrice, deletePrice, listPrices, updatePrice } from '../../services/billing/price-service.ts'
import { importListPrices } from '../../services/billing/import-list-prices.ts'
import {
  createRateLimit,
  deleteRateLimit,
  getRateLimit,
  listRateLimits,
  updateRateLimit,
} from '../../services/billing/rate-limit-service.ts'
import {
  createVouchers,
  deleteVoucher,
  getVoucher,
  listVouchers,
  serializeVoucher,
  updateVoucher,
} from '../../services/billing/voucher-service.ts'
import {
  createdVouchers,
  importedPrices,
  listOf,
  priceView,
  rateLimitView,
  voucherView,
} from '../../contracts/responses.ts'
import { serviceDeps } from '../app-deps.ts'

const byId = param('id')

function priceRoutes(url: string, grouped: boolean): RouteDef[] {
  const what = grouped ? 'group price' : 'price'
  const noun = grouped ? 'group_price' : 'price'
  return [
    route({
      method: 'GET',
      url,
      response: listOf(priceView),
      auth: 'admin',
      tag: 'prices',
      summary: `List ${what}s`,
      query: pageQuery.extend({
        group_id: z.string().max(64).optional(),
        model: z.string().max(200).optional(),
      }),
      handler: ({ deps, query }) =>
        listPage(query, 200, (page) =>
          listPrices(serviceDeps(deps), { group_id: query.group_id, model: query.model }, page, grouped),
        ),
    }),
    route({
      method: 'POST',
      url,
      response: priceView,
      auth: 'admin',
      tag: 'prices',
      summary: `Create a ${what} (USD per 1M tokens, or per call)`,
      body: grouped ? groupPriceBody : priceBody,
      status: 201,
      change: ({ deps, body }, db) =>
        createPrice({ ...serviceDeps(deps), db }, body as z.infer<typeof priceBody>),
      audit: { action: `${noun}.create`, target: (p) => p.id, summary: (p) => p },
      invalidates: { prices: true },
    }),
    route({
      method: 'PATCH',
      url: `${url}/:id`,
      response: priceView,
      auth: 'admin',
      tag: 'prices',
      summary: `Change a ${what}`,
      body: grouped ? updateGroupPriceBody : updatePriceBody,
      change: ({ deps, body, params }, db) =>
        updatePrice(
          { ...serviceDeps(deps), db },
          params.id,
          body as z.infer<typeof updatePriceBody>,
          grouped,
        ),
      audit: { action: `${noun}.update`, target: byId, summary: (_, { body }) => body },
      invalidates: { prices: true },
    }),
    route({
      method: 'DELETE',
      url: `${url}/:id`,
      auth: 'admin',
      tag: 'prices',
      summary: `Delete a ${what}`,
      status: 204,
      change: ({ deps, params }, db) => deletePrice({ ...serviceDeps(deps), db }, params.id, grouped),
      audit: { action: `${noun}.delete`, target: byId },
      invalidates: { prices: true },
    }),
  ]
}

export const adminBillingRoutes: RouteDef[] = [
  route({
    method: 'GET',
    url: '/admin/rate-limits',
    response: listOf(rateLimitView),
    auth: 'admin',
    tag: 'rate-limits',
    summary: 'Rate-limit rules, optionally of one group',
    query: z.object({ group_id: z.string().max(64).optional() }),
    handler: async ({ deps, query }) => listRateLimits(deps.db.db, query.group_id),
  }),
  route({
    method: 'POST',
    url: '/admin/rate-limits',
    response: rateLimitView,
    auth: 'admin',
    tag: 'rate-limits',
    summary: 'Create a rule (value ≤ 0 disables it)',
    body: rateLimitBody,
    status: 201,
    change: ({ deps, body }, db) => createRateLimit(db, deps.clock, body),
    audit: { action: 'rate_limit.create', target: (r) => r.id, summary: (r) => r },
    invalidates: { groups: (r) => r.group_id },
  }),
  route({
    method: 'GET',
    url: '/admin/rate-limits/:id',
    response: rateLimitView,
    auth: 'admin',
    tag: 'rate-limits',
    summary: 'One rule',
    handler: async ({ deps, params }) => getRateLimit(deps.db.db, params.id),
  }),
  route({
    method: 'PATCH',
    url: '/admin/rate-limits/:id',
    response: rateLimitView,
    auth: 'admin',
    tag: 'rate-limits',
    summary: 'Change a rule',
    body: updateRateLimitBody,
    change: ({ body, params }, db) => updateRateLimit(db, params.id, body),
    audit: { action: 'rate_limit.update', target: byId, summary: (_, { body }) => body },
    invalidates: { groups: (r) => r.group_id },
  }),
  route({
    method: 'DELETE',
    url: '/admin/rate-limits/:id',
    auth: 'admin',
    tag: 'rate-limits',
    summary: 'Delete a rule',
    status: 204,
    change: ({ params }, db) => deleteRateLimit(db, params.id),
    audit: { action: 'rate_limit.delete', target: byId, summary: (r) => r },
    invalidates: { groups: (r) => r.group_id },
  }),
  route({
    method: 'POST',
    url: '/admin/prices/import-catalogue',
    response: importedPrices,
    auth: 'admin',
    tag: 'prices',
    summary: "Import the providers' public list prices (existing prices kept unless overwrite is true)",
    body: z.strictObject({ overwrite: z.boolean().optional() }).optional(),
    change: ({ deps, body }, db) => importListPrices(db, deps.clock, body?.overwrite ?? false),
    audit: { action: 'price.import_catalogue', summary: (r) => r },
    invalidates: { prices: true },
  }),
  ...priceRoutes('/admin/prices', false),
  ...priceRoutes('/admin/model-prices', false),
  ...priceRoutes('/admin/group-prices', true),
  ...priceRoutes('/admin/group-model-prices', true),
  route({
    method: 'GET',
    url: '/admin/vouchers',
    response: listOf(voucherView),
    auth: 'admin',
    tag: 'vouchers',
    summary: 'Vouchers, newest first',
    query: pageQuery.extend({ used: z.enum(['true', 'false']).optional() }),
    handler: ({ deps, query }) =>
      listPage(query, 100, (page) =>
        listVouchers(
          serviceDeps(deps),
          { used: query.used === undefined ? undefined : query.used === 'true' },
          page,
        ),
      ),
  }),
  route({
    method: 'POST',
    url: '/admin/vouchers',
    response: createdVouchers,
    auth: 'admin',
    tag: 'vouchers',
    summary: 'Create vouchers (count ≤ 1000); a date-only expiry lasts to the end of that UTC day',
    body: createVoucherBody,
    status: 201,
    change: ({ deps, principal, body }, db) =>
      createVouchers({ ...serviceDeps(deps), db }, principal.username, body),
    audit: {
      action: 'voucher.create',
      summary: (_, { body }) => ({
        count: body.count ?? 1,
        amount_usd: body.amount_usd,
        expires_at: body.expires_at ?? null,
      }),
    },
  }),
  route({
    method: 'GET',
    url: '/admin/vouchers/:id',
    response: voucherView,
    auth: 'admin',
    tag: 'vouchers',
    summary: 'One voucher',
    handler: async ({ deps, params }) => serializeVoucher(await getVoucher(serviceDeps(deps), params.id)),
  }),
  route({
    method: 'PATCH',
    url: '/admin/vouchers/:id',
    response: voucherView,
    auth: 'admin',
    tag: 'vouchers',
    summary: 'Change an unredeemed voucher',
    body: updateVoucherBody,
    change: ({ deps, body, params }, db) => updateVoucher({ ...serviceDeps(deps), db }, params.id, body),
    audit: { action: 'voucher.update', target: byId, summary: (_, { body }) => body },
  }),
  route({
    method: 'DELETE',
    url: '/admin/vouchers/:id',
    auth: 'admin',
    tag: 'vouchers',
    summary: 'Delete a voucher',
    status: 204,
    change: ({ deps, params }, db) => deleteVoucher({ ...serviceDeps(deps), db }, params.id),
    audit: { action: 'voucher.delete', target: byId },
  }),
]
