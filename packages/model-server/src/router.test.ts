import { describe, expect, it } from "vitest";
import { createRouter, pathSegments } from "./router.ts";
import { ROUTES } from "./routes.ts";

const router = createRouter(ROUTES);

function resolve(method: string, path: string): string {
  const match = router(pathSegments(path), method);
  if (match.kind !== "found") return match.kind;
  const params = Object.entries(match.params).map(([key, value]) => ` ${key}=${value}`);
  return `${match.route.pattern}${params.join("")}`;
}

describe("the route table", () => {
  it.each([
    ["GET", "/ping", "/ping"],
    ["HEAD", "/ping", "/ping"],
    ["POST", "/ping", "/ping"],
    ["PUT", "/ping", "method-not-allowed"],
    ["GET", "//ping/", "/ping"],
    ["GET", "/ping/x", "not-found"],
    ["GET", "/", "not-found"],
    ["GET", "/execution-parameters", "/execution-parameters"],
    ["POST", "/execution-parameters", "method-not-allowed"],
    ["POST", "/invocations", "/invocations"],
    ["GET", "/invocations", "method-not-allowed"],
    ["POST", "/predictions/m", "/predictions/:name name=m"],
    ["POST", "/predictions/predict", "/predictions/:name name=predict"],
    ["GET", "/predictions/m", "method-not-allowed"],
    ["POST", "/predictions", "not-found"],
    ["GET", "/models", "/models"],
    ["POST", "/models", "/models"],
    ["HEAD", "/models", "method-not-allowed"],
    ["GET", "/models/m", "/models/:name name=m"],
    ["DELETE", "/models/m", "/models/:name name=m"],
    ["GET", "/models/predict", "/models/:name name=predict"],
    ["POST", "/models/predict", "method-not-allowed"],
    ["POST", "/models/m/invoke", "/models/:name/invoke name=m"],
    ["GET", "/models/m/invoke", "method-not-allowed"],
    ["POST", "/models/m/other", "not-found"],
    ["POST", "/models/m/invoke/x", "not-found"],
    ["POST", "/m/predict", "/:name/predict name=m"],
    ["POST", "/ping/predict", "/:name/predict name=ping"],
    ["POST", "/a%2Fb/predict", "/:name/predict name=a%2Fb"],
    ["GET", "/m/predict", "method-not-allowed"],
    ["POST", "/m/other", "not-found"],
  ])("%s %s → %s", (method, path, expected) => {
    expect(resolve(method, path)).toBe(expected);
  });

  it("refuses a table that lists one method and pattern twice", () => {
    const serve = () => {};
    expect(() =>
      createRouter([
        { method: "GET", pattern: "/a", handler: serve },
        { method: "GET", pattern: "/a", handler: serve },
      ]),
    ).toThrow(/GET \/a twice/);
  });
});
