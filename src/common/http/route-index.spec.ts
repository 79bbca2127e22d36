import { RouteIndex } from './route-index';

describe('RouteIndex', () => {
  const index = new RouteIndex();
  index.add(['GET', 'HEAD'], '/tasks');
  index.add('POST', '/tasks');
  index.add(['GET', 'HEAD'], '/tasks/:task_id');
  index.add('PUT', '/tasks/:task_id');
  index.add('DELETE', '/tasks/:task_id');
  index.add('POST', '/tasks/:task_id/start');
  index.add(['GET', 'HEAD'], '/docs/*');
  index.add('OPTIONS', '*');

  it('lists the methods of the routes a path matches, in a stable order', () => {
    expect(index.allowedMethods('/tasks')).toEqual(['GET', 'HEAD', 'POST']);
    expect(index.allowedMethods('/tasks/abc?x=1')).toEqual(['GET', 'HEAD', 'PUT', 'DELETE']);
    expect(index.allowedMethods('/tasks/abc/start')).toEqual(['POST']);
    expect(index.allowedMethods('/docs/swagger-ui.css')).toEqual(['GET', 'HEAD']);
  });

  it('knows no methods for unknown paths, and ignores the catch-all preflight route', () => {
    expect(index.allowedMethods('/nowhere')).toEqual([]);
    expect(index.allowedMethods('/tasks//start')).toEqual([]);
    expect(index.allowedMethods('/tasks/abc/start/again')).toEqual([]);
    expect(index.allowedMethods('/docs')).toEqual([]);
  });
});
