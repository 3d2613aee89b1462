/**
 * Public API of @daydream/core. Everything not exported here is internal and may change.
 */

// definitions
export { asset } from "./definitions/asset.ts";
export { assetCheck } from "./definitions/check.ts";
export type {
  AssetCheckDefinition,
  AssetCheckSpec,
  CheckContext,
  CheckResult,
  CheckSeverity,
} from "./definitions/check-types.ts";
export { defineDefinitions } from "./definitions/define.ts";
export { loadDefinitions } from "./definitions/load.ts";
export { validatePartitionKey, validatePartitionKeys } from "./definitions/partition-key.ts";
export {
  type PartitionLookup,
  type PartitionMapping,
  partitionMapping,
} from "./definitions/partition-mapping.ts";
export { dynamicPartitions } from "./definitions/partitions.ts";
export { isMaterializeResult, withMetadata } from "./definitions/result.ts";
export type {
  AssetContext,
  AssetDefinition,
  AssetIn,
  AssetSpec,
  ClusterSlots,
  CodeVersionArgs,
  ComputeInstance,
  ConfigSchema,
  Definitions,
  DefinitionsSpec,
  DynamicPartitionsDefinition,
  DynamicPartitionWriter,
  InputContext,
  IOManager,
  IsMaterializedArgs,
  MaterializeResult,
  Metadata,
  MetadataValue,
  OutputContext,
  PartitionCodeVersion,
  ResourceFactory,
  ResourceRunContext,
  RetryPolicy,
  StoredPartitionsContext,
} from "./definitions/types.ts";

// errors
export {
  AssetsError,
  DefinitionError,
  type ErrorContext,
  InputLoadError,
  isNotStarted,
  isRetryable,
  isUserError,
  PartitionError,
  RetryableError,
  SelectionError,
  StepNotStartedError,
  StorageError,
} from "./errors.ts";
export { AssetInspector } from "./execution/asset-inspector.ts";
// execution
export {
  type CheckAssetsOptions,
  type CheckAssetsSummary,
  checkAssets,
} from "./execution/checks/check-assets.ts";
export { countCheckResult } from "./execution/checks/check-counts.ts";
export {
  type ClusterSlotsBinding,
  RunClusterSlots,
  type RunClusterSlotsOptions,
  SLOT_POLL_MS,
} from "./execution/cluster-slots.ts";
export { type RunConfig, RunConfigError } from "./execution/config.ts";
export { InspectionCache } from "./execution/inspection-cache.ts";
export { materialize } from "./execution/lazy-materialize.ts";
export {
  type LineageAsset,
  type LineageNode,
  type PartitionLineage,
  partitionLineage,
} from "./execution/lineage.ts";
export type { MaterializeOptions } from "./execution/materialize.ts";
export { missingPartitionKeys } from "./execution/missing.ts";
export { type AssetPartitionStatuses, assetPartitionStatuses } from "./execution/partition-statuses.ts";
export type { RunInstance } from "./execution/run-instance.ts";
export type {
  CheckFailure,
  HeldSteps,
  PartitionsSelector,
  RunCheckCounts,
  RunProgressEvent,
  RunSummary,
  StepFailure,
} from "./execution/types.ts";
export { dataVersionOf } from "./execution/versions/data-version.ts";
export {
  describeCause,
  type StaleCause,
  Staleness,
  type StalenessSummary,
  staleCauseLabel,
  summarizeStaleness,
} from "./execution/versions/staleness.ts";
// selection
export type { SelectionNode } from "./graph/selection/parser.ts";
export { parseSelection } from "./graph/selection/parser.ts";
export { resolveSelection } from "./graph/selection/resolve.ts";
// instance
export { resolveAssetsHome } from "./instance/assets-home.ts";
export type {
  CheckResultRecord,
  CheckSummary,
  ListCheckResultsOptions,
} from "./instance/check-records.ts";
export { type OpenInstanceOptions, openInstance } from "./instance/instance.ts";
export {
  DEFAULT_LEASE,
  type HolderSnapshot,
  type HolderState,
  holderState,
  type LeaseSettings,
  leaseSettings,
} from "./instance/leases.ts";
export { currentHost, isProcessRunning } from "./instance/process-liveness.ts";
export { RUN_STATUSES } from "./instance/run-statuses.ts";
export { assertCheckOutcome, assertValidCheckResult } from "./instance/storage/check-validation.ts";
// shared by Storage implementations (SQLite here, PostgreSQL in @daydream/postgres)
export { pageBounds } from "./instance/storage/paging.ts";
export {
  buildRunRecord,
  duplicateRunError,
  type NewRun,
  RUN_PATCH_COLUMNS,
  type RunPatch,
  runPatchValues,
  unknownRunError,
} from "./instance/storage/run-records.ts";
export {
  assertSlotRelease,
  assertSlotRequest,
  slotRunProblem,
  slotsToTake,
} from "./instance/storage/semaphore-slots.ts";
export {
  assertEventType,
  assertPartitionsName,
  assertRunStatus,
  assertValidEvent,
  EVENT_TYPES,
  FINISHED_RUN_STATUSES,
} from "./instance/storage/validation.ts";
export type {
  AssetPartitionState,
  AssetStateChange,
  ClaimOptions,
  ClaimOutcome,
  EventRecord,
  EventType,
  InputMismatch,
  Instance,
  ListRunsOptions,
  MaterializationInput,
  MaterializationVersions,
  Page,
  PartitionRef,
  PartitionStatus,
  RecordBatch,
  RecordedCodeVersion,
  RunHolder,
  RunRecord,
  RunStatus,
  ScopedInputMismatches,
  StepRef,
  Storage,
  StoragePartitionWriter,
} from "./instance/types.ts";
// IO managers
export { csvIOManager } from "./io/csv.ts";
export type { FileIOManagerOptions } from "./io/file-io-manager.ts";
export { jsonIOManager } from "./io/json.ts";
export { memoryIOManager } from "./io/memory.ts";
export { textIOManager } from "./io/text.ts";
