import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { connect, type Socket } from "node:net";
import { waitFor } from "@sagemaker-serve/test-utils";
import { describe, expect, it } from "vitest";
import { serve } from "./helpers.ts";

const MIB = 1024 * 1024;

interface RawExchange {
  socket: Socket;
  /** Everything received so far. */
  received: () => string;
  /** Settles when the server closes the connection. */
  closed: Promise<void>;
}

/** Opens a connection and sends `head` (request line and headers) and `body`, then leaves the socket as it is. */
function rawRequest(port: number, head: string, body: Buffer = Buffer.alloc(0)): Promise<RawExchange> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((done) => socket.on("close", () => done()));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => {
      // a reset after the server answered is part of being refused
    });
    socket.once("connect", () => {
      socket.write(head.replaceAll("\n", "\r\n") + "\r\n");
      if (body.length > 0) socket.write(body);
      resolve({ socket, received: () => Buffer.concat(chunks).toString("latin1"), closed });
    });
    socket.once("error", reject);
  });
}

const statusOf = (text: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);

function invocation(port: number, length: number, extra = ""): string {
  return `POST /invocations HTTP/1.1\nHost: 127.0.0.1:${port}\nContent-Type: application/octet-stream\nContent-Length: ${length}\n${extra}`;
}

describe("bounded memory whatever clients do", () => {
  it("refuses a body over the limit from its Content-Length alone, at once, and closes", async () => {
    const { server } = await serve({ handlerService: "echo_handler", maxRequestBytes: MIB });
    const exchange = await rawRequest(server.port, invocation(server.port, MIB + 1));
    await exchange.closed;
    expect(statusOf(exchange.received())).toBe(413);
    expect(exchange.received()).toContain("RequestEntityTooLargeException");
  });

  it("answers Expect: 100-continue from the headers: 413 without Continue, or Continue then the result", async () => {
    const { server } = await serve({ handlerService: "echo_handler", maxRequestBytes: MIB });
    const refused = await rawRequest(server.port, invocation(server.port, 2 * MIB, "Expect: 100-continue\n"));
    await refused.closed;
    expect(refused.received()).not.toContain("100 Continue");
    expect(statusOf(refused.received())).toBe(413);

    const accepted = await rawRequest(server.port, invocation(server.port, 5, "Expect: 100-continue\n"));
    await waitFor(() => accepted.received().includes("100 Continue"), { description: "100 Continue" });
    accepted.socket.write("hello");
    await waitFor(() => accepted.received().endsWith("hello"), { description: "the echo" });
    expect(accepted.received()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    accepted.socket.destroy();
  });

  it("refuses a request when the queue is full before reading its body", async () => {
    const { server } = await serve({ handlerService: "echo_handler", queueSize: 1 });
    // A's headers take the only place in the queue while its body has not come.
    const a = await rawRequest(server.port, invocation(server.port, 5));
    await waitFor(
      async () => {
        const b = await rawRequest(server.port, invocation(server.port, 5 * MIB));
        const answered = await Promise.race([b.closed.then(() => true), sleep(500).then(() => false)]);
        b.socket.destroy();
        return (
          answered && statusOf(b.received()) === 503 && b.received().includes("increasing job queue size")
        );
      },
      { description: "B, whose body is not sent, is refused 503 at once" },
    );
    a.socket.write("hello");
    await waitFor(() => a.received().endsWith("hello"), { description: "A served once its body came" });
    expect(statusOf(a.received())).toBe(200);
    a.socket.destroy();
  });

  it("cuts a stalled upload with 408 after the body timeout and gives its bytes back; the buffered cap answers 503 meanwhile", async () => {
    const { server, url } = await serve({
      handlerService: "echo_handler",
      bodyTimeoutMs: 1500,
      maxBufferedBytes: 2 * MIB,
    });
    const stalled = await rawRequest(
      server.port,
      invocation(server.port, 1.5 * MIB),
      randomBytes(0.75 * MIB),
    );
    // The stalled body holds 1.5 MiB of the 2 MiB budget: a 1 MiB request does not fit.
    await waitFor(
      async () => {
        const over = await rawRequest(server.port, invocation(server.port, MIB));
        await over.closed;
        return (
          statusOf(over.received()) === 503 && over.received().includes("SAGEMAKER_SERVE_MAX_BUFFERED_MB")
        );
      },
      { description: "503 over the buffered-bytes cap" },
    );
    await stalled.closed;
    expect(statusOf(stalled.received())).toBe(408);
    expect(stalled.received()).toContain("RequestTimeoutException");
    const body = randomBytes(1.5 * MIB);
    const response = await fetch(url("/invocations"), { method: "POST", body });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
  });

  it("survives 50 clients that send half a 6 MiB body and stall: most refused at once, the rest cut, memory back", async () => {
    const { server, url } = await serve({
      handlerService: "echo_handler",
      bodyTimeoutMs: 1500,
      maxRequestBytes: 6 * MIB,
    });
    const half = randomBytes(3 * MIB);
    const clients = await Promise.all(
      Array.from({ length: 50 }, () => rawRequest(server.port, invocation(server.port, 6 * MIB), half)),
    );
    await Promise.all(clients.map((client) => client.closed));
    const statuses = clients.map((client) => statusOf(client.received()));
    // One worker: the default cap holds four 6 MiB bodies.
    expect(statuses.filter((status) => status === 408).length).toBeLessThanOrEqual(4);
    expect(statuses.filter((status) => status === 503).length).toBeGreaterThanOrEqual(46);
    expect(statuses.every((status) => status === 408 || status === 503)).toBe(true);
    const body = randomBytes(6 * MIB);
    const response = await fetch(url("/invocations"), { method: "POST", body });
    expect(Buffer.from(await response.arrayBuffer()).equals(body)).toBe(true);
  });

  it("caps open connections: past the cap a connection is closed on accept, and one frees a place", async () => {
    const { server, url, log } = await serve({ handlerService: "echo_handler", maxConnections: 5 });
    const idle = await Promise.all(
      Array.from({ length: 5 }, () => rawRequest(server.port, "GET /ping HTTP/1.1\nHost: x\n")),
    );
    await Promise.all(
      idle.map((c) => waitFor(() => statusOf(c.received()) === 200, { description: "ping" })),
    );
    const extra = await rawRequest(server.port, "GET /ping HTTP/1.1\nHost: x\n");
    await extra.closed;
    expect(extra.received()).toBe("");
    expect(log.lines.some((line) => line.includes("SAGEMAKER_SERVE_MAX_CONNECTIONS"))).toBe(true);
    for (const connection of idle) connection.socket.destroy();
    await Promise.all(idle.map((c) => c.closed));
    await waitFor(async () => (await fetch(url("/ping"))).status === 200, {
      description: "a new connection is served",
    });
  });

  it("refuses a chunked body that grows past the limit", async () => {
    const { server } = await serve({ handlerService: "echo_handler", maxRequestBytes: MIB });
    const exchange = await rawRequest(
      server.port,
      `POST /invocations HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n`,
    );
    const chunk = randomBytes(256 * 1024);
    for (let i = 0; i < 5 && !exchange.socket.destroyed; i++) {
      exchange.socket.write(`${chunk.length.toString(16)}\r\n`);
      exchange.socket.write(chunk);
      exchange.socket.write("\r\n");
    }
    await exchange.closed;
    expect(statusOf(exchange.received())).toBe(413);
  });
});
