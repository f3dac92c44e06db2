import { runStageCli } from '@apollo/stage';
import { PIPELINE_CATALOG } from '@apollo/pipeline-config';
import { crawlStage } from '@apollo/ingest';

runStageCli(crawlStage, __filename, PIPELINE_CATALOG);
