import * as grpc from '@grpc/grpc-js';
import { decodeReplayId, encodeReplayId } from '../cdc/bus';
import { TOPIC_NAME } from '../cdc/schema';
import { newRpcId } from '../ids';
import type { EmulatorState } from '../state';
import { authenticateCall } from './auth';
import { pubSubError, REPLAY_ID_CORRUPTED } from './errors';
import type { FetchRequest, FetchResponse } from './proto';

export type SubscribeCall = grpc.ServerDuplexStream<FetchRequest, FetchResponse>;

/** Salesforce caps one FetchRequest at 100 events. */
const MAX_NUM_REQUESTED = 100;

/**
 * One Subscribe stream. Pull-based flow control: the client's FetchRequests add to
 * `pending`; the server never sends more events than are pending and reports what is left in
 * pending_num_requested. With nothing to send for `keepaliveMs`, an empty FetchResponse carries
 * the latest replay id as a keep-alive.
 */
export class Subscription {
  private cursor: bigint | null = null;
  private pending = 0;
  private keepalive: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly state: EmulatorState, private readonly call: SubscribeCall, private readonly onClose: () => void) {
    this.unsubscribe = state.bus.onPublish(() => this.pump());
    call.on('data', (request: FetchRequest) => this.onRequest(request));
    call.on('end', () => this.close());
    call.on('cancelled', () => this.close());
    call.on('error', () => this.close());
    const authError = authenticateCall(state, call.metadata);
    if (authError !== null) this.fail(authError);
  }

  /** Ends the stream from the server side (emulator shutdown). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.keepalive);
    this.unsubscribe();
    this.onClose();
    if (!this.call.writableEnded) this.call.end();
  }

  private fail(error: ReturnType<typeof pubSubError>): void {
    if (this.closed) return;
    this.call.emit('error', error);
    this.close();
  }

  private onRequest(request: FetchRequest): void {
    if (this.closed) return;
    if (this.cursor === null && !this.open(request)) return;
    if (request.num_requested < 0) return this.fail(pubSubError(grpc.status.INVALID_ARGUMENT, 'num_requested must not be negative.'));
    this.pending += Math.min(request.num_requested, MAX_NUM_REQUESTED);
    this.pump();
    this.armKeepalive();
  }

  /** The first FetchRequest names the topic and where to start; later ones only add demand. */
  private open(request: FetchRequest): boolean {
    const bus = this.state.bus;
    if (request.topic_name !== TOPIC_NAME) {
      this.fail(pubSubError(grpc.status.NOT_FOUND, `The topic ${request.topic_name === '' ? '(empty)' : request.topic_name} does not exist or you do not have access to it. The emulator serves ${TOPIC_NAME}.`));
      return false;
    }
    if (request.replay_preset === 'CUSTOM') {
      const replay = decodeReplayId(request.replay_id);
      const check = replay === null ? 'unknown' : bus.check(replay);
      if (replay === null || check !== 'ok') {
        const why = check === 'expired' ? ' It is older than the retention window.' : '';
        this.fail(pubSubError(grpc.status.INVALID_ARGUMENT, `The Replay ID validation failed. Ensure that the Replay ID is valid.${why}`, REPLAY_ID_CORRUPTED));
        return false;
      }
      this.cursor = replay;
    } else {
      this.cursor = request.replay_preset === 'EARLIEST' ? bus.floor : bus.tip;
    }
    return true;
  }

  private pump(): void {
    if (this.closed || this.cursor === null || this.pending <= 0) return;
    const events = this.state.bus.after(this.cursor, this.pending);
    if (events.length === 0) return;
    const last = events[events.length - 1];
    if (last === undefined) return;
    this.cursor = last.replayId;
    this.pending -= events.length;
    this.write({
      events: events.map((e) => ({ event: { id: e.id, schema_id: this.state.schema.id, payload: e.payload, headers: [] }, replay_id: encodeReplayId(e.replayId) })),
      latest_replay_id: encodeReplayId(last.replayId),
      rpc_id: newRpcId(),
      pending_num_requested: this.pending,
    });
  }

  private write(response: FetchResponse): void {
    if (this.closed) return;
    this.call.write(response);
    this.armKeepalive();
  }

  private armKeepalive(): void {
    clearTimeout(this.keepalive);
    if (this.closed) return;
    this.keepalive = setTimeout(() => {
      this.write({ events: [], latest_replay_id: encodeReplayId(this.cursor ?? this.state.bus.tip), rpc_id: newRpcId(), pending_num_requested: this.pending });
    }, this.state.options.keepaliveMs);
    this.keepalive.unref();
  }
}
