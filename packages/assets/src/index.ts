export { type CohortAxes, manifestFromAxes, readCohortAxes, requireAxes } from "./cohorts/axes.ts";
export { buildCartesianMembership } from "./cohorts/cartesian.ts";
export {
  COHORT_JSON_IO,
  COHORT_TEXT_IO,
  cohortIdAsset,
  cohortMembershipAsset,
  type MembershipSummary,
} from "./cohorts/cohortAssets.ts";
export { type CohortMode, type CohortYaml, readCohortYaml } from "./cohorts/cohortFiles.ts";
export { cohortMode, establishCohort, resolveCohortId, writeCohortFiles } from "./cohorts/cohortId.ts";
export { cohortIdIOManager, noteDerivedCohortId } from "./cohorts/cohortIdIO.ts";
export { buildCuratedMembership } from "./cohorts/curated.ts";
export { CohortError, MembershipIntegrityError, SelectedEssayError } from "./cohorts/errors.ts";
export {
  assertParentIntegrity,
  checkParentIntegrity,
  type IntegrityReport,
  type ParentViolation,
} from "./cohorts/integrity.ts";
export { buildMembership, registerMembershipPartitions, writeMembership } from "./cohorts/membership.ts";
export { forgetMembership, loadMembership } from "./cohorts/membershipCache.ts";
export { readMembershipCsv, writeMembershipCsv } from "./cohorts/membershipFile.ts";
export {
  MEMBERSHIP_COLUMNS,
  type Membership,
  STAGE_COLUMNS,
  type StageRow,
} from "./cohorts/membershipSchema.ts";
export {
  draftGens,
  essayGens,
  evaluationGens,
  GEN_PARTITIONS,
  registerGenPartitions,
} from "./cohorts/partitions.ts";
export { dataRoot, displayPath } from "./config/dataRoot.ts";
export { envCohortOverride, legacyTasksAllowed } from "./config/env.ts";
export { dataRootIOManager, derivedIOManager } from "./config/ioManagers.ts";
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
export { draftPromptAsset, draftResponseAsset } from "./generation/draftAssets.ts";
export { GenerationError } from "./generation/errors.ts";
export { essayPromptAsset, essayResponseAsset } from "./generation/essayAssets.ts";
export { evaluationPromptAsset, evaluationResponseAsset } from "./generation/evaluationAssets.ts";
export { GENS_IO, gensIOManager } from "./generation/gensIO.ts";
export { LLM_RESOURCE, llmResource } from "./generation/llmResource.ts";
export {
  type DraftPromptVars,
  draftPromptVars,
  type EssayPromptVars,
  type EvaluationPromptVars,
  essayPromptVars,
  evaluationPromptVars,
} from "./generation/promptVars.ts";
export { COPY_MODE_PROMPT, MIN_DRAFT_LINES, nonEmptyLines, scoreText } from "./generation/rules.ts";
export { TemplateError } from "./generation/templates/errors.ts";
export { normalizeNewlines, renderTemplate } from "./generation/templates/renderTemplate.ts";
export {
  loadTemplateFile,
  renderTemplateFile,
  type TemplateSource,
} from "./generation/templates/templateFile.ts";
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
} from "./parsing/draftParsers.ts";
export { DraftParseError, ScoreParseError, UnknownParserError } from "./parsing/errors.ts";
export {
  type EvaluationParser,
  evaluationParserNames,
  getEvaluationParser,
  parseComplex,
  parseEvaluationScore,
  parseInLastLine,
} from "./parsing/evaluationParsers.ts";
export { AtomicCsvWriter, sameContent, writeCsvAtomic, writeFileAtomicSync } from "./raw/atomicFile.ts";
export {
  type ComboMappingRow,
  readComboMappingsFile,
  readSelectedComboMappings,
  type SelectedComboMappings,
} from "./raw/comboMappings.ts";
export { type Concept, readConceptDescription, readConcepts, resolveConceptContent } from "./raw/concepts.ts";
export { CsvSyntaxError, formatCsvCell, formatCsvLine, parseCsv } from "./raw/csvText.ts";
export { RawInputError, type RawLocation } from "./raw/errors.ts";
export { type LlmModel, readLlmModels } from "./raw/llmModels.ts";
export { readSelectedEssays, type SelectedEssays } from "./raw/selectedEssays.ts";
export {
  activeTemplates,
  ESSAY_GENERATORS,
  type EssayGenerator,
  readTemplateSource,
  readTemplates,
  type TemplateRow,
} from "./raw/templates.ts";
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
  type ParsedScoresSummary,
  parsedScoresPath,
  writeParsedScores,
} from "./results/write-parsed-scores.ts";
export { contentCombinationsAsset, selectedComboMappingsAsset } from "./tasks/comboAssets.ts";
export {
  buildContentCombinations,
  type ContentCombination,
  findContentCombination,
  loadContentCombinations,
} from "./tasks/contentCombinations.ts";
export {
  DERIVED_IO,
  draftGenerationTasksAsset,
  essayGenerationTasksAsset,
  evaluationTasksAsset,
  type TaskTableRef,
  taskTableRef,
} from "./tasks/taskAssets.ts";
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
} from "./tasks/taskTableReader.ts";
export {
  MembershipMissingError,
  membershipForTasks,
  projectTaskRows,
  TASK_TABLE_NAMES,
  TASK_TABLES,
  type TaskTableName,
  taskTableColumns,
  writeTaskTable,
} from "./tasks/taskTables.ts";
