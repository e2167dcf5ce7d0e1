import create from './customers/create';
import del from './customers/delete';
import get from './customers/get';
import list from './customers/list';
import patch from './customers/patch';
import replace from './customers/replace';
import type { Route } from './route';

export const routes: Route[] = [list, create, get, replace, patch, del];
export * from './route';
