import { existsSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import puppeteer, { Browser, Page } from 'puppeteer-core';
import { TestApp, TOKENS } from './support/app';

const CHROMIUM = '/usr/bin/chromium';

/** A page of another origin: what the admin SPA's host serves. */
async function staticSite(): Promise<{ server: Server; origin: string }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>spa</title><p>spa</p>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('in a browser (Chromium, headless)', () => {
  let app: TestApp;
  let api: string;
  let browser: Browser;
  let allowed: { server: Server; origin: string };
  let denied: { server: Server; origin: string };

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`apt-get install -y chromium\` (.ci/run does)`);
    }
    allowed = await staticSite();
    denied = await staticSite();
    app = await TestApp.start('sqlite', { CORS_ORIGINS: allowed.origin, SWAGGER_ENABLED: 'true' });
    api = await app.listen();
    browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  }, 60000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    allowed?.server.close();
    denied?.server.close();
  });

  /** A page that records CSP violations (reported as events and as console errors) and script errors. */
  async function newPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || /content security policy/i.test(message.text())) problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${String(error)}`));
    await page.evaluateOnNewDocument(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        console.error(`CSP violation: ${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    return { page, problems };
  }

  /** Expands an operation, presses Try it out and Execute, and answers the status code the page shows. */
  async function tryItOut(page: Page, operationId: string): Promise<string> {
    const block = `#operations-${operationId}`;
    await page.waitForSelector(`${block} .opblock-summary`);
    await page.click(`${block} .opblock-summary`);
    await page.waitForSelector(`${block} .try-out__btn`);
    await page.click(`${block} .try-out__btn`);
    await page.waitForSelector(`${block} .execute`);
    await page.click(`${block} .execute`);
    const cell = `${block} .live-responses-table .response .response-col_status`;
    await page.waitForSelector(cell, { timeout: 10000 });
    return page.$eval(cell, (el) => el.textContent?.trim() ?? '');
  }

  it('loads Swagger UI at /docs under the service CSP without a violation, authorizes and runs GET and POST /tasks', async () => {
    const { page, problems } = await newPage();
    const response = await page.goto(`${api}/docs`, { waitUntil: 'networkidle0' });
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForSelector('#operations-tasks-TaskController_list');
    expect(problems).toEqual([]);

    await page.click('.btn.authorize');
    await page.waitForSelector('.modal-ux input');
    await page.type('.modal-ux input', TOKENS.operator);
    await page.click('.modal-ux .auth-btn-wrapper .authorize');
    await page.waitForSelector('.modal-ux .auth-btn-wrapper .btn-done');
    await page.click('.modal-ux .auth-btn-wrapper .btn-done');

    expect(await tryItOut(page, 'tasks-TaskController_list')).toBe('200');
    expect(await tryItOut(page, 'tasks-TaskController_create')).toBe('200');
    expect(await app.count('tb_task')).toBe(1);
    expect(problems).toEqual([]);
    await page.close();
  }, 40000);

  it('lets a page of an allowed origin call the API with an Authorization header', async () => {
    const { page } = await newPage();
    await page.goto(`${allowed.origin}/`);
    const answer = await page.evaluate(
      async (url: string, token: string) => {
        const res = await fetch(`${url}/tasks?limit=5`, { headers: { Authorization: token, 'Accept-Language': 'en' } });
        return { status: res.status, body: await res.json(), requestId: res.headers.get('x-request-id') };
      },
      api,
      TOKENS.viewer,
    );
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ecode: 200, enote: 'OK' });
    expect(Array.isArray(answer.body.list_data)).toBe(true);
    expect(answer.requestId).toBeTruthy();
    await page.close();
  });

  it('blocks a page of any other origin: its fetch rejects', async () => {
    const { page } = await newPage();
    await page.goto(`${denied.origin}/`);
    const outcome = await page.evaluate(
      async (url: string, token: string) => {
        try {
          const res = await fetch(`${url}/tasks`, { headers: { Authorization: token } });
          return `answered ${res.status}`;
        } catch (error) {
          return `rejected: ${(error as Error).name}`;
        }
      },
      api,
      TOKENS.viewer,
    );
    expect(outcome).toBe('rejected: TypeError');
    await page.close();
  });
});
