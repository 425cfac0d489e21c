import { Marked } from 'marked'

/**
 * Markdown for model output. Models answer with whatever they like, so raw HTML is never passed through:
 * HTML blocks and inline tags are shown as text, link targets are limited to http(s)/mailto, and images
 * become plain links (no third-party requests from the dashboard).
 */

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
}

export function safeHref(href: string | null | undefined): string | null {
  if (!href) return null
  const h = href.trim()
  if (h.startsWith('#')) return h
  try {
    const u = new URL(h)
    return u.protocol === 'http:' || u.protocol === 'https:' || u.protocol === 'mailto:' ? u.href : null
  } catch {
    return null
  }
}

const md = new Marked({
  gfm: true,
  breaks: true,
  async: false,
  renderer: {
    html(token) {
      return escapeHtml(token.text)
    },
    link(token) {
      const inner = this.parser.parseInline(token.tokens)
      const href = safeHref(token.href)
      if (!href) return inner
      return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer nofollow">${inner}</a>`
    },
    image(token) {
      const href = safeHref(token.href)
      const label = escapeHtml(token.text || token.href || 'image')
      if (!href) return label
      return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer nofollow">[${label}]</a>`
    },
    code(token) {
      const lang = (token.lang ?? '').trim().split(/\s+/)[0] ?? ''
      const cls = lang ? ` class="language-${escapeHtml(lang.replace(/[^\w+-]/g, ''))}"` : ''
      return (
        `<div class="md-code"><div class="md-code-head"><span>${escapeHtml(lang || 'text')}</span>` +
        `<button type="button" class="md-copy" data-copy="1">copy</button></div>` +
        `<pre><code${cls}>${escapeHtml(token.text)}</code></pre></div>`
      )
    },
  },
})

export function renderMarkdown(src: string): string {
  return md.parse(src ?? '') as string
}
