export { type CohortAxes, manifestFromAxes, readCohortAxes, requireAxes } from "./cohorts/axes.ts";
export { buildCartesianMembership } from "./cohorts/cartesian.ts";
export {
  COHORT_JSON_IO,
  COHORT_TEXT_IO,
  cohortIdAsset,
  cohortMembershipAsset,
  type MembershipSummary,
} from "./cohorts/cohort-assets.ts";
export { type CohortMode, type CohortYaml, readCohortYaml } from "./cohorts/cohort-files.ts";
export { cohortMode, establishCohort, resolveCohortId, writeCohortFiles } from "./cohorts/cohort-id.ts";
export { cohortIdIOManager, noteDerivedCohortId } from "./cohorts/cohort-id-io.ts";
export { buildCuratedMembership } from "./cohorts/curated.ts";
export {
  CohortError,
  MembershipConflictError,
  MembershipIntegrityError,
  SelectedEssayError,
} from "./cohorts/errors.ts";
export {
  assertParentIntegrity,
  checkParentIntegrity,
  type IntegrityReport,
  type ParentViolation,
} from "./cohorts/integrity.ts";
export { buildMembership, registerMembershipPartitions, writeMembership } from "./cohorts/membership.ts";
export { forgetMembership, loadMembership } from "./cohorts/membership-cache.ts";
export {
  MembershipFailedError,
  type MembershipFailure,
  readMembershipFailure,
} from "./cohorts/membership-failure.ts";
export { readMembershipCsv, writeMembershipCsv } from "./cohorts/membership-file.ts";
export {
  MEMBERSHIP_COLUMNS,
  type Membership,
  REPLICATE_COLUMN,
  rowReplicate,
  STAGE_COLUMNS,
  type StageRow,
} from "./cohorts/membership-schema.ts";
export {
  draftGens,
  essayGens,
  evaluationGens,
  GEN_PARTITIONS,
  registerGenPartitions,
} from "./cohorts/partitions.ts";
export { DataRootError, dataRoot, displayPath, resolveDataRoot } from "./config/data-root.ts";
export { envCohortOverride, legacyTasksAllowed } from "./config/env.ts";
export { dataRootIOManager, derivedIOManager } from "./config/io-managers.ts";
export {
  cohortDir,
  cohortYamlPath,
  comboMappingsPath,
  conceptDescriptionPath,
  conceptsMetadataPath,
  DESCRIPTION_LEVELS,
  type DescriptionLevel,
  gensDir,
  llmModelsPath,
  manifestPath,
  membershipFailurePath,
  membershipPath,
  STAGES,
  type Stage,
  selectedComboMappingsPath,
  selectedEssaysPath,
  storedCohortIdPath,
  tasksDir,
  taskTablePath,
  templateFilePath,
  templateTablePath,
} from "./config/paths.ts";
export { generationAssets, generationIOManagers, generationResources } from "./generation/assets.ts";
export { draftPromptAsset, draftResponseAsset } from "./generation/draft-assets.ts";
export { GenerationError } from "./generation/errors.ts";
export { essayPromptAsset, essayResponseAsset } from "./generation/essay-assets.ts";
export { evaluationPromptAsset, evaluationResponseAsset } from "./generation/evaluation-assets.ts";
export { GENS_IO, gensIOManager } from "./generation/gens-io.ts";
export { LLM_RESOURCE, llmResource } from "./generation/llm-resource.ts";
export {
  type DraftPromptVars,
  draftPromptVars,
  type EssayPromptVars,
  type EvaluationPromptVars,
  essayPromptVars,
  evaluationPromptVars,
} from "./generation/prompt-vars.ts";
export { COPY_MODE_PROMPT, MIN_DRAFT_LINES, nonEmptyLines, scoreText } from "./generation/rules.ts";
export { TemplateError } from "./generation/templates/errors.ts";
export { normalizeNewlines, renderTemplate } from "./generation/templates/render-template.ts";
export {
  loadTemplateFile,
  renderTemplateFile,
  type TemplateSource,
} from "./generation/templates/template-file.ts";
export { writeFileAtomic } from "./gens/atomic-write.ts";
export { GensStoreError } from "./gens/errors.ts";
export {
  GEN_FILES,
  GEN_STAGES,
  type GenFileKind,
  type GenStage,
  producerAsset,
  validateGenId,
  validateStage,
} from "./gens/layout.ts";
export {
  BASE_METADATA_KEYS,
  buildMetadata,
  type GenMetadata,
  type GenMetadataFields,
  STAGE_METADATA_KEY,
} from "./gens/metadata.ts";
export { GensStore } from "./gens/store.ts";
export {
  assertSafeId,
  type CohortManifest,
  canonicalJson,
  comboId,
  compareCodePoints,
  computeCohortId,
  type GenIdOptions,
  PIPELINE_VERSION,
  reserveGenId,
  UnsafeIdError,
} from "./ids.ts";
export { OPENROUTER_BASE_URL } from "./llm/base-url.ts";
export { createLlmClient, type LlmEnv } from "./llm/create-client.ts";
export { LlmConfigError, LlmError, scrubSecret } from "./llm/errors.ts";
export {
  type FakeBehaviour,
  type FakeOpenAiServer,
  type FakeOpenAiServerOptions,
  type FakeRequest,
  startFakeOpenAiServer,
} from "./llm/fake-openai-server.ts";
export { OFFLINE_DEFAULT_MAX_TOKENS, OfflineLlmClient, offlineCompletionText } from "./llm/offline-client.ts";
export {
  OPENAI_CLIENT_DEFAULTS,
  OpenAiCompatibleClient,
  type OpenAiCompatibleClientOptions,
} from "./llm/openai-client.ts";
export type {
  ChatMessage,
  ChatRole,
  LlmClient,
  LlmClientInfo,
  LlmLogger,
  LlmRequest,
  LlmResponse,
  LlmUsage,
} from "./llm/types.ts";
export {
  type DraftParser,
  draftParserNames,
  getDraftParser,
  identityParser,
  parseEssayBlock,
  parseEssayIdeaLast,
} from "./parsing/draft-parsers.ts";
export { DraftParseError, ScoreParseError, UnknownParserError } from "./parsing/errors.ts";
export {
  type EvaluationParser,
  evaluationParserNames,
  getEvaluationParser,
  parseComplex,
  parseEvaluationScore,
  parseInLastLine,
} from "./parsing/evaluation-parsers.ts";
export { AtomicCsvWriter, sameContent, writeCsvAtomic, writeFileAtomicSync } from "./raw/atomic-file.ts";
export {
  type ComboMappingRow,
  readComboMappingsFile,
  readSelectedComboMappings,
  type SelectedComboMappings,
} from "./raw/combo-mappings.ts";
export { type Concept, readConceptDescription, readConcepts, resolveConceptContent } from "./raw/concepts.ts";
export { CsvSyntaxError, formatCsvCell, formatCsvLine, parseCsv } from "./raw/csv-text.ts";
export { RawInputError, type RawLocation } from "./raw/errors.ts";
export { type LlmModel, readLlmModels } from "./raw/llm-models.ts";
export {
  type ReplicationConfig,
  readReplicationConfig,
  replicationConfigPath,
} from "./raw/replication-config.ts";
export { readSelectedEssays, type SelectedEssays } from "./raw/selected-essays.ts";
export {
  activeTemplates,
  ESSAY_GENERATORS,
  type EssayGenerator,
  readTemplateSource,
  readTemplates,
  type TemplateRow,
} from "./raw/templates.ts";
export { mergeCrossExperiment, parsedScoresPath } from "./results/cross-experiment.ts";
export { ResultsError } from "./results/errors.ts";
export { EssayContextResolver, essayContextFromMetadata, fillBlankContext } from "./results/essay-context.ts";
export { readEvaluationFiles } from "./results/evaluation-files.ts";
export {
  buildParsedScores,
  EMPTY_ESSAY_CONTEXT,
  type EssayContext,
  type EvaluationGenFiles,
  type EvaluationTask,
  PARSED_SCORES_COLUMNS,
  type ParsedScoreRow,
  type ParsedScoresColumn,
  type ParsedScoresInput,
  parsedScoreCells,
  scoreFromParsedText,
} from "./results/parsed-scores.ts";
export { parsedScoresAsset } from "./results/parsed-scores-asset.ts";
export {
  buildScorePivot,
  evaluatorColumn,
  PIVOT_ESSAY_COLUMNS,
  type PivotScore,
  type ScorePivot,
} from "./results/score-pivot.ts";
export { readPivotScores, scorePivotAsset, scorePivotPath } from "./results/score-pivot-asset.ts";
export {
  readScoreTable,
  type ScoreRecord,
  type ScoreTable,
  scoreTableFromText,
} from "./results/score-table.ts";
export { selectedEssaysText, selectTopPaths, writeSelectedEssays } from "./results/selection-file.ts";
export { readEssayTaskContexts, readEvaluationTasks } from "./results/task-rows.ts";
export {
  compareRanked,
  describeCriteria,
  formatRankingTable,
  parseList,
  parseTopN,
  type RankedEssay,
  type Ranking,
  type RankOptions,
  rankEssays,
  selectTop,
} from "./results/top-n.ts";
export {
  cohortParsedScoresPath,
  type ParsedScoresSummary,
  writeParsedScores,
} from "./results/write-parsed-scores.ts";
export { contentCombinationsAsset, selectedComboMappingsAsset } from "./tasks/combo-assets.ts";
export {
  buildContentCombinations,
  type ContentCombination,
  findContentCombination,
  loadContentCombinations,
} from "./tasks/content-combinations.ts";
export {
  DERIVED_IO,
  draftGenerationTasksAsset,
  essayGenerationTasksAsset,
  evaluationTasksAsset,
  type TaskTableRef,
  taskTableRef,
} from "./tasks/task-assets.ts";
export {
  type DraftTaskRow,
  type EssayTaskRow,
  type EvaluationTaskRow,
  forgetTaskTables,
  getTaskRow,
  readTaskTable,
  type TaskRowOf,
  type TaskTable,
  TaskTableError,
} from "./tasks/task-table-reader.ts";
export {
  MembershipMissingError,
  membershipForTasks,
  projectTaskRows,
  requiredTaskColumns,
  TASK_TABLE_NAMES,
  TASK_TABLES,
  type TaskColumnOf,
  type TaskTableName,
  taskTableColumns,
  writeTaskTable,
} from "./tasks/task-tables.ts";
