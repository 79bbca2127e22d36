import WebSocket from 'ws';
import { sleep } from './procs';

/** Where SIGUSR1 opens a Node process's inspector (Node's default). */
const INSPECTOR = 'http://127.0.0.1:9229';
/** A full GC of a ~50 MB heap takes well under a second; far longer means the process is stuck. */
const CALL_TIMEOUT_MS = 60_000;

/**
 * The live V8 heap (MB) of a Node process after full garbage collections, read over the inspector
 * protocol. Heap in use after a load is mostly garbage awaiting a major GC, so comparing it (or RSS)
 * between repeats compares GC timing; after a forced full GC it is what the process holds.
 * SIGUSR1 opens the inspector on 127.0.0.1:9229 in a running process, so the server runs without
 * an inspector flag until this is first called.
 */
export async function liveHeapAfterFullGc(pid: number): Promise<number> {
  process.kill(pid, 'SIGUSR1');
  const url = await debuggerUrl(pid);
  const socket = new WebSocket(url);
  // Every call answers, fails with the socket, or times out: a lost inspector must not hang the bench.
  const pending = new Map<number, { resolve: (result: unknown) => void; reject: (error: Error) => void }>();
  const failAll = (error: Error) => {
    for (const call of pending.values()) call.reject(error);
    pending.clear();
  };
  socket.on('error', failAll);
  socket.on('close', () => failAll(new Error(`the inspector of process ${pid} closed`)));
  socket.on('message', (data: WebSocket.RawData) => {
    // The inspector sends text frames: one Buffer of UTF-8 JSON each.
    const message = JSON.parse((data as Buffer).toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
    const call = message.id === undefined ? undefined : pending.get(message.id);
    if (!call) return;
    pending.delete(message.id!);
    if (message.error) call.reject(new Error(message.error.message));
    else call.resolve(message.result);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  let nextId = 0;
  const call = <T>(method: string, params: Record<string, unknown> = {}): Promise<T> => {
    const id = ++nextId;
    const answer = new Promise<T>((resolve, reject) => pending.set(id, { resolve: resolve as (result: unknown) => void, reject }));
    socket.send(JSON.stringify({ id, method, params }));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${method}: no answer from process ${pid} in ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
    });
    return Promise.race([answer, timeout]).finally(() => {
      clearTimeout(timer);
      pending.delete(id);
    });
  };
  try {
    const { result } = await call<{ result: { value: number } }>('Runtime.evaluate', { expression: 'process.pid' });
    if (result.value !== pid) throw new Error(`${INSPECTOR} is process ${result.value}'s inspector, not ${pid}'s`);
    // Twice: objects freed by the first collection's finalizers go in the second.
    await call('HeapProfiler.collectGarbage');
    await call('HeapProfiler.collectGarbage');
    const { usedSize } = await call<{ usedSize: number }>('Runtime.getHeapUsage');
    return usedSize / 1048576;
  } finally {
    socket.close();
  }
}

/** The inspector's WebSocket address for `pid`, once it listens. */
async function debuggerUrl(pid: number): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const [target] = (await (await fetch(`${INSPECTOR}/json/list`)).json()) as { webSocketDebuggerUrl: string }[];
      if (target) return target.webSocketDebuggerUrl;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the inspector of process ${pid} did not open at ${INSPECTOR}`);
    await sleep(100);
  }
}
