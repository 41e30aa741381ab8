// The course of a complaint and the case vocabularies, with their labels in en, ru and
// kk (assets/cases/course.json, built into the shell). It is the same for every case and
// holds nothing of one, so it is asked for once.
import { ipc, type Course } from "./ipc";

let table: Promise<Course> | null = null;

export function loadCourse(): Promise<Course> {
  table ??= ipc.caseCourse().catch((e: unknown) => {
    table = null;
    throw e;
  });
  return table;
}
