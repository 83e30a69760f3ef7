import type { AddressInfo, Server, Socket } from "node:net";

export interface LoopbackListener {
  port: number;
  /** Destroys open connections (pip and the SDK keep them alive) and closes the server. */
  close: () => Promise<void>;
}

/** Listens on an ephemeral port of 127.0.0.1 and tracks connections so `close()` never waits on a keep-alive. */
export async function listenOnLoopback(server: Server): Promise<LoopbackListener> {
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
