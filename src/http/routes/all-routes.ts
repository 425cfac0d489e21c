import type { RouteDef } from '../define-route.ts'
import { systemRoutes } from './system-routes.ts'
import { authRoutes } from './auth-routes.ts'
import { userRoutes } from './user-routes.ts'
import { adminKeyRoutes } from './admin-key-routes.ts'
import { adminChannelRoutes } from './admin-channel-routes.ts'
import { adminGroupRoutes } from './admin-group-routes.ts'
import { adminUserRoutes } from './admin-user-routes.ts'
import { adminBillingRoutes } from './admin-billing-routes.ts'
import { adminAuditRoutes } from './admin-audit-routes.ts'
import { statsRoutes } from './stats-routes.ts'
import { logsRoutes } from './logs-routes.ts'

/** The route table: the route-policy test walks this very list. */
export function allRoutes(): RouteDef[] {
  return [
    ...systemRoutes,
    ...authRoutes,
    ...userRoutes,
    ...adminKeyRoutes,
    ...adminChannelRoutes,
    ...adminGroupRoutes,
    ...adminUserRoutes,
    ...adminBillingRoutes,
    ...adminAuditRoutes,
    ...statsRoutes,
    ...logsRoutes,
  ]
}
