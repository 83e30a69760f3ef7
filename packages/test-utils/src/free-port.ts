import { createServer } from "node:net";

/**
 * A TCP port that is free on 0.0.0.0 right now, for a server another process binds later. It is drawn from
 * 20000-31999: below 32767, the highest port MMS (and so the fake) accepts, and outside Linux's ephemeral range
 * (32768-60999), where a port probed free could be taken by any outgoing connection before the server binds it.
 */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const server = createServer();
    const ok = await new Promise<boolean>((done) => {
      server.once("error", () => done(false));
      server.listen(port, "0.0.0.0", () => done(true));
    });
    if (ok) {
      await new Promise((done) => server.close(done));
      return port;
    }
  }
  throw new Error("freePort: no free port found below 32767 after 50 attempts");
}
