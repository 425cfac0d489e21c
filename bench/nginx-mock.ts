/**
 * The bench's fast upstream (issue 20): Debian's nginx (package `nginx-light`, which brings the echo module) serves
 * the bytes of bench/mock-bodies.mjs — chat completions and Messages, each as an answer, a whole stream in one
 * write, or with `x-mock-pace: 1` a stream whose events leave 1 ms apart (echo_sleep), with `x-mock-pace: long`
 * the long stream (100 content events) paced the same way — and hands everything else to
 * the Node mock (bench/mock-upstream.mjs) behind it: requests steered by another `x-mock-*` header (held idle
 * streams, delays, error statuses), `/_mock/stats` and unknown paths. Sharing core 1 with wrk, the Node mock needed
 * 30–36 µs of CPU per answer here and nginx 10.5; passing paced streams through nginx to the Node mock cost 302 µs
 * per stream against 177 for the Node mock alone, so nginx paces them itself.
 *
 * Like the Node mock, nginx decides between an answer and a stream by the request body (`"stream":true`), never by
 * a header: it reads the body (`echo_read_request_body`), then an internal redirect lets a `map` see it.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CHAT, MESSAGES, STREAM_MARK } from './mock-bodies.mjs'

/** Where Debian installs them; BENCH_NGINX names another nginx binary. */
export const NGINX_BINARY = process.env.BENCH_NGINX || '/usr/sbin/nginx'
export const ECHO_MODULE = '/usr/lib/nginx/modules/ngx_http_echo_module.so'

/** Why nginx cannot serve as the bench's upstream here, or undefined when it can. */
export function nginxMissing(): string | undefined {
  if (!existsSync(NGINX_BINARY)) return `${NGINX_BINARY} not found`
  if (!existsSync(ECHO_MODULE)) return `nginx's echo module ${ECHO_MODULE} not found`
  return undefined
}

/**
 * `text` as one single-quoted nginx configuration word. nginx reads `\\`, `\'`, `\n`, `\r` and `\t` back inside
 * quotes; `$` would start a variable and a word longer than nginx's 4 KiB read buffer is refused, so both throw.
 */
export function nginxString(text: string): string {
  if (text.includes('$')) throw new Error('an nginx mock body may not contain "$" (nginx reads a variable)')
  const quoted = `'${text.replace(/[\\'\n\r\t]/g, (c) => ({ '\\': '\\\\', "'": "\\'", '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c] ?? c)}'`
  if (quoted.length > 4000) throw new Error(`an nginx mock body is ${quoted.length} bytes quoted, over 4000`)
  return quoted
}

export interface NginxMockConfig {
  /** Port nginx listens on (127.0.0.1). */
  port: number
  /** Port of the Node mock that serves what nginx does not. */
  nodePort: number
  /** Temporary folder for nginx's pid, error log and temp paths. */
  dir: string
}

interface Surface {
  answer: Buffer
  events: Buffer[]
  whole: Buffer
  longEvents: Buffer[]
}

/** A location that sends `events` each its own write, 1 ms apart, as the Node mock's x-mock-pace sends them. */
function pacedLocation(location: string, comment: string, events: Buffer[]): string {
  const writes = events
    .map(
      (e, i) =>
        `      echo -n ${nginxString(e.toString('utf8'))};\n      echo_flush;${i < events.length - 1 ? '\n      echo_sleep 0.001;' : ''}`,
    )
    .join('\n')
  return `    location ${location} {
      default_type text/event-stream;
      add_header Cache-Control no-cache;
      # ${comment}
${writes}
    }`
}

/** One surface's locations: the path's end, the answer as JSON, the whole stream as `text/event-stream`. */
function surfaceLocations(name: string, pathEnd: string, s: Surface): string {
  return `
    location ~ ${pathEnd}$ {
      error_page 418 = @node;
      if ($mock_to_node) { return 418; }
      echo_read_request_body;
      echo_exec @${name};
    }
    location @${name} {
      default_type application/json;
      error_page 419 = @${name}_stream;
      error_page 420 = @${name}_paced;
      error_page 421 = @${name}_long;
      if ($mock_answer = whole) { return 419; }
      if ($mock_answer = paced) { return 420; }
      if ($mock_answer = long) { return 421; }
      return 200 ${nginxString(s.answer.toString('utf8'))};
    }
${pacedLocation(`@${name}_paced`, "Each event its own write, 1 ms apart, as the Node mock's x-mock-pace: 1 sends them.", s.events)}
${pacedLocation(`@${name}_long`, 'x-mock-pace: long, the long stream paced the same way.', s.longEvents)}
    location @${name}_stream {
      default_type text/event-stream;
      add_header Cache-Control no-cache;
      # echo sends chunked, as the Node mock does for a stream; held until the last chunk, the headers, the events
      # and the last chunk leave in one write (as the Node mock's res.end does), not three.
      postpone_output 64k;
      echo -n ${nginxString(s.whole.toString('utf8'))};
    }`
}

/** The nginx configuration of the bench's upstream: one worker, keep-alive without a request limit. */
export function nginxMockConfig({ port, nodePort, dir }: NginxMockConfig): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${join(dir, t)};`)
    .join('\n')
  return `load_module ${ECHO_MODULE};
daemon off;
master_process off;
worker_processes 1;
worker_rlimit_nofile 16384;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events {
  worker_connections 8192;
}
http {
  access_log off;
  server_tokens off;
${temp}
  # The Node mock's keep-alive (65 s, announced in a Keep-Alive header), and no limit on requests per connection.
  keepalive_timeout 65s 65s;
  keepalive_requests 4294967295;
  client_max_body_size 16m;
  client_body_buffer_size 16m;
  client_body_in_single_buffer on;
  # Any x-mock-* header but x-mock-pace: 1 or long alone: the Node mock serves the request (held streams, delays, errors).
  map "$http_x_mock_pace|$http_x_mock_hold|$http_x_mock_delay|$http_x_mock_status" $mock_to_node {
    "|||" 0;
    "1|||" 0;
    "long|||" 0;
    default 1;
  }
  map $request_body $mock_stream {
    ${JSON.stringify(`~${STREAM_MARK}`)} 1;
    default 0;
  }
  # A stream asked for in the body: whole, or paced when x-mock-pace is 1; a paced answer is the plain answer.
  map "$mock_stream|$http_x_mock_pace" $mock_answer {
    "1|" whole;
    "1|1" paced;
    "1|long" long;
    default plain;
  }
  upstream node_mock {
    server 127.0.0.1:${nodePort};
    keepalive 1024;
    keepalive_requests 4294967295;
    keepalive_timeout 65s;
  }
  server {
    listen 127.0.0.1:${port} backlog=4096;
${surfaceLocations('chat', '/chat/completions', CHAT)}
${surfaceLocations('messages', '/messages', MESSAGES)}
    location / {
      error_page 418 = @node;
      return 418;
    }
    location @node {
      proxy_pass http://node_mock;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
      proxy_read_timeout 1h;
      proxy_send_timeout 1h;
    }
  }
}
`
}

/** Writes the configuration and nginx's temp folders under `dir`; returns the configuration file. */
export function writeNginxMockConfig(config: NginxMockConfig): string {
  for (const t of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(join(config.dir, t), { recursive: true })
  const file = join(config.dir, 'nginx.conf')
  writeFileSync(file, nginxMockConfig(config))
  return file
}
