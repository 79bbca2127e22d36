import { isIP } from 'node:net';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost') || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

const hostOf = (url: string): string => new URL(url).hostname;

/** Where a browser or client on this machine reaches the service: HOST, with a wildcard address as loopback. */
export function listenUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${isIP(h) === 6 ? `[${h}]` : h}:${port}`;
}

/**
 * Why the ops service would be unable to call this service back (report_url is built from
 * PUBLIC_BASE_URL), judged from the addresses alone; empty when dispatching is off or nothing looks
 * wrong. A loopback PUBLIC_BASE_URL only works for an ops service on this same machine, and an ops
 * service elsewhere cannot reach a service that listens on loopback only.
 */
/** The settings the check reads (a structural slice of AppConfig, which builds its default from this module). */
export interface PublicUrlSettings {
  http: { host: string; port: number };
  dispatch: { opsBaseUrl: string | null; publicBaseUrl: string };
}

export function publicUrlWarnings(config: PublicUrlSettings): string[] {
  const { opsBaseUrl, publicBaseUrl } = config.dispatch;
  if (!opsBaseUrl) return [];
  const warnings: string[] = [];
  const opsIsLocal = isLoopbackHost(hostOf(opsBaseUrl));
  const publicIsLocal = isLoopbackHost(hostOf(publicBaseUrl));
  const listensLocally = isLoopbackHost(config.http.host);
  if (!opsIsLocal && publicIsLocal) {
    warnings.push(
      `PUBLIC_BASE_URL (${publicBaseUrl}) is a loopback address, but the ops service (${opsBaseUrl}) runs elsewhere: ` +
        'its status reports to report_url cannot arrive. Set PUBLIC_BASE_URL to an address the ops service can reach.',
    );
  }
  if (!opsIsLocal && listensLocally) {
    warnings.push(
      `HOST=${config.http.host} accepts connections from this machine only, but the ops service (${opsBaseUrl}) runs elsewhere and reports to this service.`,
    );
  }
  if (opsIsLocal && publicIsLocal && !listensLocally && config.http.port !== 0 && Number(new URL(publicBaseUrl).port || 80) !== config.http.port) {
    warnings.push(`PUBLIC_BASE_URL (${publicBaseUrl}) is a loopback address on another port than PORT=${config.http.port}.`);
  }
  return warnings;
}
