import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

const MARIADBD = process.env.TEST_MARIADBD ?? '/usr/sbin/mariadbd';

/**
 * A MariaDB server of a suite's own, on a free loopback port with a throw-away data directory,
 * for faults the shared server must never suffer: `freeze()` stops the process (SIGSTOP: the
 * kernel still accepts TCP, nothing answers; Linux only, it reads /proc), `thaw()` resumes it. Started without grant tables,
 * so root needs no password; no system tables are installed, which boots in about a second.
 */
export class PrivateMariaDb {
  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    readonly port: number,
  ) {}

  static async start(extraArgs: string[] = []): Promise<PrivateMariaDb> {
    const dir = mkdtempSync(join(tmpdir(), 'tm-mariadb-'));
    const data = join(dir, 'data');
    mkdirSync(data);
    const port = await freePort();
    const child = spawn(
      MARIADBD,
      [
        '--no-defaults',
        `--datadir=${data}`,
        `--port=${port}`,
        '--bind-address=127.0.0.1',
        `--socket=${join(dir, 'mariadb.sock')}`,
        `--pid-file=${join(dir, 'mariadb.pid')}`,
        '--skip-grant-tables',
        '--skip-log-bin',
        '--innodb-buffer-pool-size=32M',
        '--innodb-log-file-size=8M',
        '--user=root',
        ...extraArgs,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // Never outlive the test process, even when it dies before afterAll (a frozen server would linger).
    const killOnExit = () => {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    const server = new PrivateMariaDb(child, dir, port);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mariadbd exited with ${child.exitCode}:\n${log}`);
      try {
        const conn = await createConnection({ ...server.connection, connectTimeout: 1000 });
        await conn.end();
        return server;
      } catch (error) {
        if (Date.now() > deadline) {
          await server.stop();
          throw new Error(`mariadbd did not answer within 30 s (${String(error)}):\n${log}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  get connection() {
    return { host: '127.0.0.1', port: this.port, user: 'root', password: '' };
  }

  /** Creates a database and returns the env that points the app at it. */
  async createDatabase(name: string, charset?: string): Promise<Record<string, string>> {
    const conn = await createConnection(this.connection);
    await conn.query(`CREATE DATABASE \`${name}\`${charset ? ` CHARACTER SET ${charset}` : ''}`);
    await conn.end();
    return { DB_TYPE: 'mariadb', DB_HOST: '127.0.0.1', DB_PORT: String(this.port), DB_USER: 'root', DB_PASSWORD: '', DB_NAME: name };
  }

  async query<T = unknown>(sql: string, params: unknown[] = []): Promise<T> {
    const conn = await createConnection(this.connection);
    try {
      const [rows] = await conn.query(sql, params);
      return rows as T;
    } finally {
      await conn.end();
    }
  }

  /**
   * SIGSTOP, then waits until every thread of the server has actually stopped: the group stop
   * reaches threads one by one, and a thread still running could answer one more statement.
   */
  async freeze(): Promise<void> {
    this.process.kill('SIGSTOP');
    const deadline = Date.now() + 5000;
    while (!this.allThreadsStopped()) {
      if (Date.now() > deadline) throw new Error('mariadbd did not stop within 5 s');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  private allThreadsStopped(): boolean {
    const dir = `/proc/${this.process.pid}/task`;
    return readdirSync(dir).every((tid) => {
      try {
        // Field 3 of stat, after the parenthesised command name: T = stopped.
        const stat = readFileSync(join(dir, tid, 'stat'), 'utf8');
        return /^[tT]$/.test(stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3));
      } catch {
        return true; // the thread ended meanwhile
      }
    });
  }

  thaw(): void {
    this.process.kill('SIGCONT');
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGCONT');
      this.process.kill('SIGKILL');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
