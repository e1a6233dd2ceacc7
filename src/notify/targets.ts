/**
 * Webhook targets and their body formats, chosen per `--notify-url`:
 *
 *   slack:https://…          Slack incoming webhook  {"text": …}
 *   discord:https://…        Discord webhook         {"content": …, "username": "traderv3"}
 *   https://hooks.slack.com/…                 → Slack (by host)
 *   https://discord.com/api/webhooks/…  (or discordapp.com)  → Discord (by host)
 *   anything else (http/https)                → generic JSON:
 *     {"source":"traderv3","kind","severity","title","text","at":ISO,"data":{…}}
 *
 * A webhook URL is itself a secret (Slack's and Discord's carry their token in the path): logs
 * and errors name a target only by `describe()` — format and host.
 */
import type { Notification } from './types.js';

export type TargetFormat = 'generic' | 'slack' | 'discord';

export interface NotifyTarget {
  readonly format: TargetFormat;
  readonly url: string;
  /** e.g. "slack:hooks.slack.com" — safe to log. */
  readonly label: string;
}

export class NotifyConfigError extends Error {
  readonly code = 'NOTIFY_BAD_URL';
}

export function parseTarget(spec: string): NotifyTarget {
  const m = /^(slack|discord):(.*)$/i.exec(spec.trim());
  const forced = m ? (m[1]!.toLowerCase() as TargetFormat) : undefined;
  const raw = m ? m[2]! : spec.trim();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new NotifyConfigError(
      '--notify-url: not a URL (expected http(s)://…, slack:https://… or discord:https://…)',
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new NotifyConfigError(`--notify-url: ${url.protocol} is not http or https`);
  }
  const host = url.hostname.toLowerCase();
  const format: TargetFormat =
    forced ??
    (host === 'hooks.slack.com'
      ? 'slack'
      : (host === 'discord.com' || host === 'discordapp.com') && url.pathname.startsWith('/api/webhooks/')
        ? 'discord'
        : 'generic');
  return { format, url: url.href, label: `${format}:${url.host}` };
}

const ICON = { info: 'ℹ️', warning: '⚠️', critical: '🛑' } as const;

export function body(format: TargetFormat, n: Notification): unknown {
  switch (format) {
    case 'slack':
      return { text: `${ICON[n.severity]} *${n.title}*\n${n.text}` };
    case 'discord':
      return {
        username: 'traderv3',
        content: `${ICON[n.severity]} **${n.title}**\n${n.text}`.slice(0, 2000),
      };
    case 'generic':
      return {
        source: 'traderv3',
        kind: n.kind,
        severity: n.severity,
        title: n.title,
        text: n.text,
        at: new Date(n.at).toISOString(),
        data: n.data ?? {},
      };
  }
}
