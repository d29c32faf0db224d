/** restorepoint's version, recorded in every manifest. Kept in step with package.json by a test. */
export const toolVersion = '0.1.0';
