import { useEffect, useState, type ReactNode } from 'react'
import { Alert, Collapse, Empty, Spin, Tag } from '@arco-design/web-react'
import { AxiosError } from 'axios'
import { api, errorMessage } from '../../api/client.ts'
import { useI18n } from '../../i18n/index.ts'
import {
  parseRequestBody,
  parseResponseBody,
  recordView,
  responseWarnings,
  type Msg,
  type Part,
} from '../../lib/transcript.ts'
import { Markdown } from '../../components/Markdown.tsx'
import { JsonBlock, prettyJson } from '../../components/JsonBlock.tsx'

const roleColor: Record<string, string> = {
  system: 'purple',
  user: 'arcoblue',
  assistant: 'green',
  tool: 'orange',
  model: 'green',
  developer: 'purple',
}

/** A tool call or result: its tag, what names it, and its text. */
function ToolBox(props: { tag: string; color: string; body: string; children: ReactNode }) {
  return (
    <div className="tool-box">
      <Tag size="small" color={props.color}>
        {props.tag}
      </Tag>{' '}
      {props.children}
      <pre className="mono">{props.body}</pre>
    </div>
  )
}

function PartView({ part }: { part: Part }) {
  const { t } = useI18n()
  switch (part.kind) {
    case 'text':
      return <Markdown text={part.text} />
    case 'thinking':
      return (
        <Collapse bordered={false}>
          <Collapse.Item name="th" header={t('logs.thinking')}>
            <div style={{ whiteSpace: 'pre-wrap' }} className="muted">
              {part.text}
            </div>
          </Collapse.Item>
        </Collapse>
      )
    case 'tool_call':
      return (
        <ToolBox tag={t('logs.toolCall')} color="orangered" body={prettyJson(part.input)}>
          <b className="mono">{part.name}</b>
          {part.id ? <span className="muted mono"> · {part.id}</span> : null}
        </ToolBox>
      )
    case 'tool_result':
      return (
        <ToolBox tag={t('logs.toolResult')} color="lime" body={part.content}>
          {part.id ? <span className="muted mono"> {part.id}</span> : null}
        </ToolBox>
      )
    case 'image':
      return (
        <Tag size="small">
          {t('logs.image')} {part.note}
        </Tag>
      )
  }
}

function MessageView({ m }: { m: Msg }) {
  return (
    <div className="msg-row">
      <Tag color={roleColor[m.role] ?? 'gray'}>{m.role}</Tag>
      <div className="msg-body">
        {m.parts.map((p, i) => (
          <PartView key={i} part={p} />
        ))}
      </div>
    </div>
  )
}

/** The stored request and answer of one logged call. */
export function LogDetail({ requestId, admin }: { requestId: string; admin: boolean }) {
  const { t } = useI18n()
  const [record, setRecord] = useState<unknown>(undefined)
  const [missing, setMissing] = useState(false)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    let live = true
    api
      .get<unknown>(`${admin ? '/admin' : '/user'}/logs/${encodeURIComponent(requestId)}/messages`)
      .then((r) => live && setRecord(r.data))
      .catch((e: unknown) => {
        if (!live) return
        if (e instanceof AxiosError && e.response?.status === 404) setMissing(true)
        else setError(errorMessage(e))
      })
    return () => {
      live = false
    }
  }, [requestId, admin])

  if (missing) return <Empty description={t('logs.noRecord')} />
  if (error) return <Alert type="error" content={error} />
  if (record === undefined) return <Spin />

  const view = recordView(record)
  const req = parseRequestBody(view.request)
  const res = parseResponseBody(view.response)
  const warnings = responseWarnings(req, res)

  return (
    // overflowWrap: a long URL or id wraps instead of widening the record past a phone screen.
    <div
      className="log-detail"
      data-testid="log-detail"
      style={{ minWidth: 0, maxWidth: '100%', overflowWrap: 'anywhere' }}
    >
      {admin && view.upstreamUrl ? (
        <div className="muted mono">
          {t('logs.upstream')}: {view.upstreamUrl}
        </div>
      ) : null}
      {view.metadataOnly ? <Alert type="info" content={t('logs.metadataOnly')} /> : null}
      <div>
        <div className="stat-label">{t('logs.request')}</div>
        {req.messages.length === 0 ? (
          <span className="muted">{t('logs.noMessages')}</span>
        ) : (
          req.messages.map((m, i) => <MessageView key={i} m={m} />)
        )}
      </div>
      <div>
        <div className="stat-label">{t('logs.response')}</div>
        {warnings.includes('truncated') ? (
          <Alert
            type="warning"
            style={{ marginBottom: 8 }}
            content={t('logs.truncated', { max: req.maxTokens ?? '-' })}
          />
        ) : null}
        {warnings.includes('reasoningOnly') ? (
          <Alert type="warning" style={{ marginBottom: 8 }} content={t('logs.reasoningOnly')} />
        ) : null}
        {res.errors.map((e, i) => (
          <Alert key={i} type="error" style={{ marginBottom: 8 }} content={e} />
        ))}
        <MessageView
          m={{
            role: 'assistant',
            parts: [
              ...(res.reasoning ? [{ kind: 'thinking', text: res.reasoning } as Part] : []),
              ...(res.text ? [{ kind: 'text', text: res.text } as Part] : []),
              ...res.toolCalls.map(
                (tc) => ({ kind: 'tool_call', name: tc.name, input: tc.input, id: tc.id }) as Part,
              ),
              ...(res.raw ? [{ kind: 'text', text: '```\n' + res.raw + '\n```' } as Part] : []),
            ],
          }}
        />
        {res.finishReason ? (
          <div className="muted" style={{ fontSize: 12, marginTop: 4 }}>
            {t('logs.finishReason')}: {res.finishReason}
          </div>
        ) : null}
      </div>
      <Collapse bordered={false}>
        <Collapse.Item name="req" header={t('logs.rawRequest')}>
          <JsonBlock value={view.request} />
        </Collapse.Item>
        <Collapse.Item name="res" header={t('logs.rawResponse')}>
          <JsonBlock value={view.response} />
        </Collapse.Item>
        <Collapse.Item name="rec" header={t('logs.rawRecord')}>
          <JsonBlock value={record} />
        </Collapse.Item>
      </Collapse>
    </div>
  )
}
