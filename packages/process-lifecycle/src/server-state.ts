/**
 * The life of a started server as a state machine. `startServer` runs each state's phase on entry and feeds its
 * outcome back as an event; an event that a state does not list changes nothing (a second `stop()`, a `kill()`
 * after the end, a server exit that the running phase reports itself). The README has the same table.
 */
export type ServerState =
  "spawning" | "discovering" | "probing" | "ready" | "settling" | "stopping" | "killing" | "exited";

export type ServerStateEvent =
  | "spawned"
  | "spawn-failed"
  | "found"
  | "healthy"
  | "startup-failed"
  | "server-gone"
  | "stop"
  | "kill"
  | "grace-expired"
  | "settle-expired"
  | "all-gone"
  | "kill-wait-expired";

/** Every transition there is: `TRANSITIONS[state][event]` is the next state. */
export const TRANSITIONS: Readonly<
  Record<ServerState, Readonly<Partial<Record<ServerStateEvent, ServerState>>>>
> = {
  spawning: { spawned: "discovering", "spawn-failed": "exited", stop: "exited", kill: "exited" },
  discovering: { found: "probing", "startup-failed": "stopping", stop: "stopping", kill: "killing" },
  probing: { healthy: "ready", "startup-failed": "stopping", stop: "stopping", kill: "killing" },
  ready: { "server-gone": "settling", stop: "stopping", kill: "killing" },
  settling: { "all-gone": "exited", "settle-expired": "killing" },
  stopping: { "all-gone": "exited", "grace-expired": "killing", kill: "killing" },
  killing: { "all-gone": "exited", "kill-wait-expired": "exited" },
  exited: {},
};

/** The state after `event` in `state`, or undefined when the event does not apply there. */
export function nextState(state: ServerState, event: ServerStateEvent): ServerState | undefined {
  return TRANSITIONS[state][event];
}

/** One step of the machine. */
export interface Transition {
  from: ServerState;
  event: ServerStateEvent;
  to: ServerState;
}

/**
 * Holds the current state. Entering a state calls `onEnter` with a signal that aborts when the state is left, so
 * a phase that is still running when an event moves the machine on (a stop during discovery) is cut short.
 */
export class ServerStateMachine {
  #state: ServerState = "spawning";
  #leave = new AbortController();
  readonly #onEnter: (transition: Transition, leave: AbortSignal) => void;

  constructor(onEnter: (transition: Transition, leave: AbortSignal) => void) {
    this.#onEnter = onEnter;
  }

  get state(): ServerState {
    return this.#state;
  }

  /**
   * Applies `event`. With `from`, only while the machine is still in that state: a phase's late outcome after
   * the machine moved on is dropped. True when the state changed.
   */
  send(event: ServerStateEvent, from?: ServerState): boolean {
    if (from !== undefined && from !== this.#state) return false;
    const to = nextState(this.#state, event);
    if (to === undefined) return false;
    const transition = { from: this.#state, event, to };
    this.#leave.abort();
    this.#leave = new AbortController();
    this.#state = to;
    this.#onEnter(transition, this.#leave.signal);
    return true;
  }
}
