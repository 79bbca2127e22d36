import type { DynamicModule, Provider } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { AppModule } from './app.module';
import { loadConfig } from './config/app-config';

const isDynamic = (m: unknown): m is DynamicModule => typeof m === 'object' && m !== null && 'module' in m;
const isInterceptor = (p: Provider) => typeof p === 'object' && 'provide' in p && p.provide === APP_INTERCEPTOR;

describe('AppModule', () => {
  // Any global interceptor makes Nest wrap every handler call in rxjs and AsyncResource.bind,
  // per request: the list's tail at half of peak came from those objects (bench/results/fixes.md §10).
  it('installs no global interceptor, its own or an imported module’s', () => {
    const root = AppModule.forRoot(loadConfig({ NODE_ENV: 'test' }));
    const modules = [root, ...(root.imports ?? []).filter(isDynamic)];
    const interceptors = modules.flatMap((m) => (m.providers ?? []).filter(isInterceptor).map(() => m.module.name));
    expect(interceptors).toEqual([]);
  });
});
