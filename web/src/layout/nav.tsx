import type { ReactNode } from 'react'
import {
  IconApps,
  IconBook,
  IconCloud,
  IconCode,
  IconDashboard,
  IconFile,
  IconGift,
  IconHistory,
  IconHome,
  IconLock,
  IconMessage,
  IconSafe,
  IconTag,
  IconThunderbolt,
  IconUserGroup,
} from '@arco-design/web-react/icon'
import type { TKey } from '../i18n/index.ts'

export interface NavItem {
  path: string
  label: TKey
  icon: ReactNode
  admin?: boolean
}

export const userNav: NavItem[] = [
  { path: '/home', label: 'nav.home', icon: <IconHome /> },
  { path: '/dashboard', label: 'nav.dashboard', icon: <IconDashboard /> },
  { path: '/apikeys', label: 'nav.apikeys', icon: <IconSafe /> },
  { path: '/chat', label: 'nav.chat', icon: <IconMessage /> },
  { path: '/logs', label: 'nav.logs', icon: <IconFile /> },
  { path: '/guide', label: 'nav.guide', icon: <IconCode /> },
]

export const adminNav: NavItem[] = [
  { path: '/channels', label: 'nav.channels', icon: <IconCloud />, admin: true },
  { path: '/groups', label: 'nav.groups', icon: <IconApps />, admin: true },
  { path: '/users', label: 'nav.users', icon: <IconUserGroup />, admin: true },
  { path: '/all-keys', label: 'nav.allKeys', icon: <IconLock />, admin: true },
  { path: '/prices', label: 'nav.prices', icon: <IconTag />, admin: true },
  { path: '/vouchers', label: 'nav.vouchers', icon: <IconGift />, admin: true },
  { path: '/rate-limits', label: 'nav.rateLimits', icon: <IconThunderbolt />, admin: true },
  { path: '/audit', label: 'nav.audit', icon: <IconHistory />, admin: true },
]

export const publicNav: NavItem[] = [{ path: '/pricing', label: 'nav.pricing', icon: <IconBook /> }]

export function titleFor(pathname: string): TKey | undefined {
  return [...userNav, ...adminNav, ...publicNav].find(
    (n) => pathname === n.path || pathname.startsWith(`${n.path}/`),
  )?.label
}
