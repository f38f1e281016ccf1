import { describe, expect, it } from "vitest";
import { createAppWiring } from "../app/modules.js";
import { MSG, ogpuTypes } from "../sdk/registry.js";
import { OGPU_MSG_TYPES } from "./msg-types.js";

describe("type URLs are spelled once (proto/msg-types.ts)", () => {
  it("builds each URL from the proto package and the message name, the response with 'Response'", () => {
    expect(OGPU_MSG_TYPES.SubmitTask.typeUrl).toBe("/ogpu.market.v1.MsgSubmitTask");
    expect(OGPU_MSG_TYPES.SubmitTask.responseTypeUrl).toBe("/ogpu.market.v1.MsgSubmitTaskResponse");
    expect(OGPU_MSG_TYPES.SetAuditorKey.typeUrl).toBe("/ogpu.attest.v1.MsgSetAuditorKey");
    expect(OGPU_MSG_TYPES.Heartbeat.typeUrl).toBe("/ogpu.workers.v1.MsgHeartbeat");
  });

  it("the SDK registry and the chain's modules register exactly the same oGPU messages", () => {
    const chainOgpuMsgs = createAppWiring()
      .modules.flatMap((m) => m.msgs.map((msg) => msg.typeUrl))
      .filter((url) => url.startsWith("/ogpu."));
    expect([...chainOgpuMsgs].sort()).toEqual(Object.values(MSG).sort());
    expect(ogpuTypes.map(([url]) => url)).toEqual(Object.values(MSG));
    expect(MSG.RegisterWorker).toBe("/ogpu.workers.v1.MsgRegisterWorker");
  });
});
