import { createServer } from "node:net";

/** Resolves true when `port` can be bound on 0.0.0.0 right now (the address the servers bind). */
export async function isPortFree(port: number, host = "0.0.0.0"): Promise<boolean> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
