import type { WriteOrigin } from '../events/recorder';
import type { EmulatorState } from '../state';
import type { ParamMap } from '../stripe/form';

export interface ApiRequest {
  state: EmulatorState;
  params: ParamMap;
  /** The `:id` path segment, '' when the route has none. */
  id: string;
  origin: WriteOrigin;
}

export interface ApiResult {
  status: number;
  body: unknown;
}

export interface ApiRoute {
  /** Route template as reported in stats, e.g. "GET /v1/customers/:id". */
  key: string;
  /** Counted in `writes` when it succeeds. */
  write: boolean;
  handle(request: ApiRequest): ApiResult;
}
