import { describe, expect, it } from 'vitest'
import { renderMarkdown, safeHref } from './markdown.ts'

describe('renderMarkdown', () => {
  it('renders code blocks escaped', () => {
    const html = renderMarkdown('```js\nconst a = "<b>"\n```')
    expect(html).toContain('class="language-js"')
    expect(html).toContain('&lt;b&gt;')
    expect(html).not.toContain('<b>')
  })
  it('never passes raw HTML through', () => {
    const html = renderMarkdown(
      'hi <img src=x onerror=alert(1)> <script>alert(1)</script>\n\n<div onclick="x()">block</div>',
    )
    expect(html).not.toMatch(/<img|<script|<div onclick/i)
    expect(html).toContain('&lt;script&gt;')
  })
  it('drops javascript: links and turns images into links', () => {
    const html = renderMarkdown('[a](javascript:alert(1)) ![pic](https://example.com/p.png)')
    expect(html).not.toContain('javascript:')
    expect(html).not.toContain('<img')
    expect(html).toContain('href="https://example.com/p.png"')
  })
  it('keeps GFM tables and emphasis', () => {
    const html = renderMarkdown('**bold**\n\n| a | b |\n|---|---|\n| 1 | 2 |')
    expect(html).toContain('<strong>bold</strong>')
    expect(html).toContain('<table>')
  })
  it('safeHref', () => {
    expect(safeHref('https://a.b/c')).toBe('https://a.b/c')
    expect(safeHref('data:text/html,x')).toBeNull()
    expect(safeHref(' JavaScript:alert(1)')).toBeNull()
  })
})
