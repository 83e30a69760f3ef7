import { createServer } from "node:net";
import { ServeError } from "@sagemaker-serve/errors";

/** Why the port cannot be bound: held by another process, privileged for this user, or another errno. */
export type PortProblem = { free: true } | { free: false; errno: string };

/** Tries to bind `port` on 0.0.0.0 (the address the servers bind) right now and releases it at once. */
export async function probePort(port: number, host = "0.0.0.0"): Promise<PortProblem> {
  const server = createServer();
  return new Promise((resolve) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      resolve({ free: false, errno: error.code ?? error.message }),
    );
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve({ free: true })));
  });
}

/** The start-up failure for a port that cannot be bound, or undefined when it is free. */
export async function portError(port: number): Promise<ServeError<"PORT_IN_USE"> | undefined> {
  const probe = await probePort(port);
  if (probe.free) return undefined;
  if (probe.errno === "EACCES") {
    return new ServeError(
      "PORT_IN_USE",
      `port ${port} cannot be bound on 0.0.0.0: EACCES (ports below 1024 need root or CAP_NET_BIND_SERVICE)`,
      { hint: "set SAGEMAKER_BIND_TO_PORT to a port of 1024 or above, or grant CAP_NET_BIND_SERVICE" },
    );
  }
  return new ServeError(
    "PORT_IN_USE",
    `port ${port} is already in use (${probe.errno === "EADDRINUSE" ? "address in use" : probe.errno} on 0.0.0.0)`,
    { hint: "stop the process holding the port, or set SAGEMAKER_BIND_TO_PORT to a free port" },
  );
}
