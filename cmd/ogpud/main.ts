#!/usr/bin/env node
import { runCli } from "../cli.js";
import { closePrompts } from "../prompt.js";
import { ogpudSpec } from "./spec.js";

process.exitCode = await runCli(ogpudSpec, process.argv.slice(2));
closePrompts();
