import { existsSync } from 'node:fs'
import path from 'node:path'
import type { Plugin } from 'vite'

/**
 * Only the style sheets of the Arco components a module imports, next to that module's import (so Vite puts
 * them in the same lazily loaded chunk as the page), instead of Arco's whole 562 KB style sheet on every first
 * visit. Each component's `style/css.js` brings the base styles and the components it is built from.
 * See docs/dashboard.md, "Assets".
 */
export function arcoStyles(arcoRoot: string): Plugin {
  const named = /import\s*\{([^}]*)\}\s*from\s*['"]@arco-design\/web-react['"]/g
  // Components exported under another folder's name.
  const folderOf: Record<string, string> = { Row: 'Grid', Col: 'Grid' }
  const cache = new Map<string, boolean>()
  const hasStyle = (folder: string) => {
    let found = cache.get(folder)
    if (found === undefined) {
      found = existsSync(path.join(arcoRoot, 'es', folder, 'style', 'css.js'))
      cache.set(folder, found)
    }
    return found
  }
  return {
    name: 'arco-styles',
    enforce: 'pre',
    transform(code, id) {
      if (id.includes('node_modules') || !/\.tsx?$/.test(id.split('?')[0])) return null
      const folders = new Set<string>()
      for (const m of code.matchAll(named)) {
        for (const part of m[1].split(',')) {
          const name = part
            .trim()
            .replace(/^type\s+/, '')
            .split(/\s+as\s+/)[0]
          if (!name || part.trim().startsWith('type ')) continue
          const folder = folderOf[name] ?? name
          if (hasStyle(folder)) folders.add(folder)
        }
      }
      if (folders.size === 0) return null
      const imports = [...folders]
        .map((f) => `import '@arco-design/web-react/es/${f}/style/css.js';`)
        .join('\n')
      return { code: `${imports}\n${code}`, map: null }
    },
  }
}
