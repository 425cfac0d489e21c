import { Suspense, useEffect, useState } from 'react'
import { Outlet, useLocation, useNavigate } from 'react-router'
import { Button, Drawer, Layout, Menu, Spin, Tag, Tooltip } from '@arco-design/web-react'
import { IconMenu, IconMenuFold, IconMenuUnfold, IconPoweroff, IconUser } from '@arco-design/web-react/icon'
import { useAuth, isAdminRole } from '../store/auth.ts'
import { useI18n } from '../i18n/index.ts'
import { adminNav, publicNav, titleFor, userNav, type NavItem } from './nav.tsx'
import { useIsMobile } from '../components/useMedia.ts'
import { LangSwitch } from '../components/LangSwitch.tsx'
import { ThemeSwitch } from '../components/ThemeSwitch.tsx'
import { api } from '../api/client.ts'
import type { Me } from '../api/types.ts'

const roleColor = { user: 'gray', admin: 'arcoblue', superadmin: 'purple' } as const

function NavMenu({ onPick }: { onPick?: () => void }) {
  const { t } = useI18n()
  const role = useAuth((s) => s.role)
  const nav = useNavigate()
  const loc = useLocation()
  const selected =
    [...userNav, ...adminNav, ...publicNav].find((n) => loc.pathname.startsWith(n.path))?.path ?? ''
  const item = (navItem: NavItem) => (
    <Menu.Item key={navItem.path} data-testid={`nav-${navItem.path.slice(1)}`}>
      {navItem.icon}
      {t(navItem.label)}
    </Menu.Item>
  )
  return (
    <Menu
      selectedKeys={[selected]}
      onClickMenuItem={(key) => {
        void nav(key)
        onPick?.()
      }}
      style={{ width: '100%' }}
    >
      {userNav.map(item)}
      {isAdminRole(role) ? (
        <Menu.ItemGroup key="admin" title={t('nav.adminSection')}>
          {adminNav.map(item)}
        </Menu.ItemGroup>
      ) : null}
      {publicNav.map(item)}
    </Menu>
  )
}

export function AppLayout() {
  const { t } = useI18n()
  const { username, role, logout, setRole } = useAuth()
  const mobile = useIsMobile()
  const [collapsed, setCollapsed] = useState(false)
  const [drawer, setDrawer] = useState(false)
  const loc = useLocation()
  const title = titleFor(loc.pathname)

  useEffect(() => {
    // Roles live in the database: refresh the cached one so the menu matches what the server allows.
    let live = true
    api
      .get<Me>('/auth/me')
      .then((r) => {
        if (live && r.data?.role && r.data.role !== useAuth.getState().role) setRole(r.data.role)
      })
      .catch(() => undefined)
    return () => {
      live = false
    }
  }, [setRole])

  useEffect(() => {
    document.title = title ? `${t(title)} · ${t('app.name')}` : t('app.name')
  }, [title, t])

  return (
    <Layout className="app-layout">
      {mobile ? (
        <Drawer
          placement="left"
          visible={drawer}
          onCancel={() => setDrawer(false)}
          footer={null}
          title={t('app.name')}
          width={240}
          className="nav-drawer"
        >
          <NavMenu onPick={() => setDrawer(false)} />
        </Drawer>
      ) : (
        <Layout.Sider
          collapsed={collapsed}
          collapsible
          trigger={null}
          breakpoint="lg"
          width={220}
          className="app-sider"
        >
          <div className="logo">
            <span className="logo-mark">A</span>
            {collapsed ? null : <span className="logo-text">{t('app.name')}</span>}
          </div>
          <NavMenu />
        </Layout.Sider>
      )}
      <Layout>
        <Layout.Header className="app-header">
          <div className="header-left">
            <Button
              type="text"
              icon={mobile ? <IconMenu /> : collapsed ? <IconMenuUnfold /> : <IconMenuFold />}
              onClick={() => (mobile ? setDrawer(true) : setCollapsed(!collapsed))}
              aria-label={t('nav.toggleMenu')}
              data-testid="menu-toggle"
            />
            {mobile ? <span className="header-brand">{t('app.name')}</span> : null}
            {title && !mobile ? <span className="header-title">{t(title)}</span> : null}
          </div>
          <div className="header-right">
            <LangSwitch />
            <ThemeSwitch />
            {mobile ? null : (
              <span className="header-user" data-testid="header-user">
                <IconUser /> {username}
              </span>
            )}
            {role ? (
              <Tag size="small" color={roleColor[role]} data-testid="role-badge">
                {t(`role.${role}`)}
              </Tag>
            ) : null}
            <Tooltip content={t('nav.logout')}>
              <Button
                type="text"
                icon={<IconPoweroff />}
                onClick={logout}
                aria-label={t('nav.logout')}
                data-testid="logout"
              />
            </Tooltip>
          </div>
        </Layout.Header>
        <Layout.Content className="app-content">
          <Suspense
            fallback={
              <div className="page-loading">
                <Spin size={28} />
              </div>
            }
          >
            <Outlet />
          </Suspense>
        </Layout.Content>
      </Layout>
    </Layout>
  )
}
