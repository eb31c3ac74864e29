import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Service } from "kubernetes-models/v1/Service";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const run = promisify(execFile);

type Obj = { apiVersion: string; kind: string; metadata: { name: string; labels?: Record<string, string> }; [k: string]: unknown };
type Container = {
  name: string;
  env?: Array<{ name: string; value?: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  ports?: Array<{ name?: string; containerPort: number }>;
};
type PodSpec = {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
  securityContext?: { runAsNonRoot?: boolean; runAsUser?: number };
  volumes?: Array<{ name: string; emptyDir?: object }>;
};
type DeploymentObj = Obj & {
  spec: { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
};

/**
 * The Kubernetes schemas (the OpenAPI definitions kubernetes-models ships, checked with ajv, offline). Every kind
 * the overlays render must be here: an unknown kind fails the test rather than going unchecked.
 */
const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1 Deployment": Deployment,
  "autoscaling/v2 HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1 PodDisruptionBudget": PodDisruptionBudget,
  "v1 ConfigMap": ConfigMap,
  "v1 Service": Service,
};

const SECRET_SETTINGS = ["DIFY_API_KEY", "SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DISCORD_BOT_TOKEN"];

async function render(overlay: string): Promise<Obj[]> {
  const { stdout } = await run("kubectl", ["kustomize", `deploy/k8s/overlays/${overlay}`], { cwd: ROOT }).catch((err: unknown) => {
    throw new Error(`kubectl kustomize failed (is kubectl installed? .ci/run installs it): ${String(err)}`);
  });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Obj);
}

const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const ofKind = <T extends Obj>(objs: Obj[], kind: string) => objs.filter((o) => o.kind === kind) as T[];

function validateAll(objs: Obj[]): void {
  for (const obj of objs) {
    const Model = MODELS[`${obj.apiVersion} ${obj.kind}`];
    expect(Model, `a schema for ${obj.apiVersion} ${obj.kind}`).toBeDefined();
    expect(() => new (Model as NonNullable<typeof Model>)(obj as never).validate(), `${obj.kind}/${obj.metadata.name} is valid`).not.toThrow();
  }
}

function checkDeployments(objs: Obj[]): DeploymentObj[] {
  const config = ofKind<Obj & { data: Record<string, string> }>(objs, "ConfigMap").find((c) => c.metadata.name === "dify-bridge-config");
  expect(config).toBeDefined();
  const graceMs = Number(config?.data.SHUTDOWN_GRACE_MS);
  expect(graceMs).toBeGreaterThan(0);
  // Secrets never sit in the ConfigMap; everything it sets is a documented setting.
  const documented = readFileSync(`${ROOT}/.env.example`, "utf8");
  for (const key of Object.keys(config?.data ?? {})) {
    expect(SECRET_SETTINGS).not.toContain(key);
    expect(documented, `${key} is in .env.example`).toMatch(new RegExp(`^${key}=`, "m"));
  }

  const deployments = ofKind<DeploymentObj>(objs, "Deployment");
  const pdbs = ofKind<Obj & { spec: { selector: { matchLabels: Record<string, string> }; minAvailable?: number; maxUnavailable?: number } }>(
    objs,
    "PodDisruptionBudget",
  );
  const services = ofKind<Obj & { spec: { selector: Record<string, string>; ports: Array<{ name: string; targetPort: string }> } }>(objs, "Service");
  for (const d of deployments) {
    const pod = d.spec.template.spec;
    const labels = d.spec.template.metadata.labels;
    expect(matches(d.spec.selector.matchLabels, labels)).toBe(true);
    // Kubernetes waits longer than the bridge's own graceful shutdown (grace, then up to 15 s to mark and exit).
    expect((pod.terminationGracePeriodSeconds ?? 30) * 1000).toBeGreaterThan(graceMs + 15_000);
    expect(pod.securityContext?.runAsNonRoot).toBe(true);
    expect(pod.securityContext?.runAsUser).toBeGreaterThan(0);
    for (const c of pod.containers) {
      expect(c.livenessProbe?.httpGet).toEqual({ path: "/healthz", port: "http" });
      expect(c.readinessProbe?.httpGet).toEqual({ path: "/readyz", port: "http" });
      expect(c.ports).toContainEqual({ name: "http", containerPort: Number(config?.data.PORT) });
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      const tmp = c.volumeMounts?.find((m) => m.mountPath === "/tmp");
      expect(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
      expect(c.resources?.requests?.cpu).toBeDefined();
      expect(c.resources?.requests?.memory).toBeDefined();
      expect(c.resources?.limits?.memory).toBeDefined();
      expect(c.envFrom).toContainEqual({ configMapRef: { name: "dify-bridge-config" } });
      expect(c.envFrom).toContainEqual({ secretRef: { name: "dify-bridge-secrets" } });
      for (const e of c.env ?? []) expect(SECRET_SETTINGS).not.toContain(e.name);
    }
    // Voluntary disruptions are budgeted, and /metrics is reachable through a Service port named "metrics".
    expect(
      pdbs.filter((p) => matches(p.spec.selector.matchLabels, labels)),
      `a PDB for ${d.metadata.name}`,
    ).toHaveLength(1);
    expect(services.some((s) => matches(s.spec.selector, labels) && s.spec.ports.some((p) => p.name === "metrics" && p.targetPort === "http"))).toBe(true);
  }
  return deployments;
}

const roleOf = (d: DeploymentObj) => d.spec.template.spec.containers[0]?.env?.find((e) => e.name === "BRIDGE_ROLE")?.value;

describe("Kubernetes manifests (kustomize)", () => {
  it("all-in-one renders one valid Deployment running every role, with probes, budget, grace and a locked-down pod", async () => {
    const objs = await render("all-in-one");
    validateAll(objs);
    const deployments = checkDeployments(objs);
    expect(deployments.map(roleOf)).toEqual(["all"]);
    expect(ofKind(objs, "HorizontalPodAutoscaler")).toHaveLength(0);
  });

  it("ingress-workers renders valid intake and worker Deployments, and an HPA that scales the workers", async () => {
    const objs = await render("ingress-workers");
    validateAll(objs);
    const deployments = checkDeployments(objs);
    expect(deployments.map(roleOf).sort()).toEqual(["ingress", "worker"]);
    const pdbs = ofKind<Obj & { spec: { minAvailable?: number } }>(objs, "PodDisruptionBudget");
    // More than one replica each: a drain keeps at least one of each running.
    expect(pdbs.map((p) => p.spec.minAvailable)).toEqual([1, 1]);
    const [hpa] = ofKind<Obj & { spec: { scaleTargetRef: { kind: string; name: string }; minReplicas: number; maxReplicas: number; metrics: unknown[] } }>(
      objs,
      "HorizontalPodAutoscaler",
    );
    const worker = deployments.find((d) => roleOf(d) === "worker");
    expect(hpa?.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: worker?.metadata.name });
    expect(hpa?.spec.minReplicas).toBeGreaterThanOrEqual(1);
    expect(hpa?.spec.maxReplicas).toBeGreaterThan(hpa?.spec.minReplicas ?? 0);
    expect(hpa?.spec.metrics).toContainEqual({ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } });
  });

  it("the ServiceMonitor scrapes the metrics port of every Service the overlays render", async () => {
    const monitor = parse(readFileSync(`${ROOT}/deploy/k8s/monitoring/service-monitor.yaml`, "utf8")) as {
      apiVersion: string;
      kind: string;
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: Array<{ port: string; path: string }> };
    };
    expect([monitor.apiVersion, monitor.kind]).toEqual(["monitoring.coreos.com/v1", "ServiceMonitor"]);
    expect(monitor.spec.endpoints).toContainEqual(expect.objectContaining({ port: "metrics", path: "/metrics" }));
    for (const overlay of ["all-in-one", "ingress-workers"]) {
      const services = ofKind<Obj & { spec: { ports: Array<{ name: string }> } }>(await render(overlay), "Service");
      for (const s of services) {
        expect(matches(monitor.spec.selector.matchLabels, s.metadata.labels)).toBe(true);
        expect(s.spec.ports.map((p) => p.name)).toContain("metrics");
      }
    }
  });
});
