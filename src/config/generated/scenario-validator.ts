// GENERATED from ScenarioSchema (src/loadtest/scenario.ts) by `npm run gen:config` (Ajv standalone code, src/config/standalone.ts): do not edit.
// @ts-nocheck -- Ajv's plain JavaScript; the typed exports are at the end.
import type { SchemaValidate } from '../validate.js'
import { isAddressSpec } from '../address-list.js'
import { parseBytes, parseDuration } from '../units.js'

const schema11 = {"additionalProperties":false,"type":"object","required":["baseUrl","headers","cookies","login","requests"],"properties":{"baseUrl":{"description":"Origin the paths are relative to; --url overrides it.","default":"","type":"string"},"headers":{"description":"Headers sent with every request.","default":{},"type":"object","patternProperties":{"^(.*)$":{"type":"string"}}},"cookies":{"description":"Each virtual user keeps the cookies it is sent, like a browser.","default":true,"type":"boolean"},"login":{"additionalProperties":false,"description":"Virtual users that log in first and keep their session cookie.","default":{"share":0},"type":"object","required":["share","method","path","headers","body","expect"],"properties":{"share":{"description":"Fraction of virtual users (0..1) that log in before their first request.","minimum":0,"maximum":1,"default":0,"type":"number"},"method":{"description":"HTTP method of the login request.","default":"POST","anyOf":[{"const":"POST","type":"string"},{"const":"GET","type":"string"},{"const":"PUT","type":"string"}]},"path":{"description":"Login URL path.","pattern":"^/","default":"/login.php","type":"string"},"headers":{"description":"Headers of the login request.","default":{"content-type":"application/x-www-form-urlencoded"},"type":"object","patternProperties":{"^(.*)$":{"type":"string"}}},"body":{"description":"Login body; {{user}} is the virtual user number.","default":"username=user{{user}}&password=secret","type":"string"},"expect":{"description":"Status codes that count as success; empty means any 1xx, 2xx or 3xx.","default":[],"type":"array","items":{"minimum":100,"maximum":599,"type":"integer"}}}},"requests":{"description":"The weighted request mix.","minItems":1,"type":"array","items":{"additionalProperties":false,"type":"object","required":["name","weight","method","path","headers","body","who","expect"],"properties":{"name":{"description":"Label in the report (default: method and path).","default":"","type":"string"},"weight":{"description":"Relative share of this request among those the user may send.","minimum":0,"default":1,"type":"number"},"method":{"description":"HTTP method.","default":"GET","anyOf":[{"const":"GET","type":"string"},{"const":"HEAD","type":"string"},{"const":"POST","type":"string"},{"const":"PUT","type":"string"},{"const":"PATCH","type":"string"},{"const":"DELETE","type":"string"},{"const":"OPTIONS","type":"string"}]},"path":{"description":"Path and query; may use {{user}} and {{rand MIN MAX}}.","pattern":"^/","type":"string"},"headers":{"description":"Extra request headers (over the scenario-wide headers).","default":{},"type":"object","patternProperties":{"^(.*)$":{"type":"string"}}},"body":{"description":"Request body; may use {{user}} and {{rand MIN MAX}}.","default":"","type":"string"},"who":{"description":"Which virtual users send it: everyone, only those not logged in, or only those logged in.","default":"any","anyOf":[{"const":"any","type":"string"},{"const":"anonymous","type":"string"},{"const":"loggedIn","type":"string"}]},"expect":{"description":"Status codes that count as success; empty means any 1xx, 2xx or 3xx.","default":[],"type":"array","items":{"minimum":100,"maximum":599,"type":"integer"}}}}}}};
const pattern0 = new RegExp("^(.*)$", "u");
const pattern1 = new RegExp("^/", "u");

function validate10(data, {instancePath="", parentData, parentDataProperty, rootData=data}={}){
let vErrors = null;
let errors = 0;
if(data && typeof data == "object" && !Array.isArray(data)){
if(data.baseUrl === undefined){
data.baseUrl = "";
}
if(data.headers === undefined){
data.headers = {};
}
if(data.cookies === undefined){
data.cookies = true;
}
if(data.login === undefined){
data.login = {"share":0};
}
if(data.baseUrl === undefined){
const err0 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "baseUrl"},message:"must have required property '"+"baseUrl"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err0];
}
else {
vErrors.push(err0);
}
errors++;
}
if(data.headers === undefined){
const err1 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "headers"},message:"must have required property '"+"headers"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err1];
}
else {
vErrors.push(err1);
}
errors++;
}
if(data.cookies === undefined){
const err2 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "cookies"},message:"must have required property '"+"cookies"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err2];
}
else {
vErrors.push(err2);
}
errors++;
}
if(data.login === undefined){
const err3 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "login"},message:"must have required property '"+"login"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err3];
}
else {
vErrors.push(err3);
}
errors++;
}
if(data.requests === undefined){
const err4 = {instancePath,schemaPath:"#/required",keyword:"required",params:{missingProperty: "requests"},message:"must have required property '"+"requests"+"'",schema:schema11.required,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err4];
}
else {
vErrors.push(err4);
}
errors++;
}
for(const key0 in data){
if(!(((((key0 === "baseUrl") || (key0 === "headers")) || (key0 === "cookies")) || (key0 === "login")) || (key0 === "requests"))){
const err5 = {instancePath,schemaPath:"#/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key0},message:"must NOT have additional properties",schema:false,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err5];
}
else {
vErrors.push(err5);
}
errors++;
}
}
let data0 = data.baseUrl;
if(typeof data0 !== "string"){
const err6 = {instancePath:instancePath+"/baseUrl",schemaPath:"#/properties/baseUrl/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.baseUrl.type,parentSchema:schema11.properties.baseUrl,data:data0};
if(vErrors === null){
vErrors = [err6];
}
else {
vErrors.push(err6);
}
errors++;
}
let data1 = data.headers;
if(data1 && typeof data1 == "object" && !Array.isArray(data1)){
for(const key1 in data1){
if(pattern0.test(key1)){
let data2 = data1[key1];
if(typeof data2 !== "string"){
const err7 = {instancePath:instancePath+"/headers/" + key1.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/headers/patternProperties/%5E(.*)%24/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.headers.patternProperties["^(.*)$"].type,parentSchema:schema11.properties.headers.patternProperties["^(.*)$"],data:data2};
if(vErrors === null){
vErrors = [err7];
}
else {
vErrors.push(err7);
}
errors++;
}
}
}
}
else {
const err8 = {instancePath:instancePath+"/headers",schemaPath:"#/properties/headers/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.headers.type,parentSchema:schema11.properties.headers,data:data1};
if(vErrors === null){
vErrors = [err8];
}
else {
vErrors.push(err8);
}
errors++;
}
let data3 = data.cookies;
if(typeof data3 !== "boolean"){
const err9 = {instancePath:instancePath+"/cookies",schemaPath:"#/properties/cookies/type",keyword:"type",params:{type: "boolean"},message:"must be boolean",schema:schema11.properties.cookies.type,parentSchema:schema11.properties.cookies,data:data3};
if(vErrors === null){
vErrors = [err9];
}
else {
vErrors.push(err9);
}
errors++;
}
let data4 = data.login;
if(data4 && typeof data4 == "object" && !Array.isArray(data4)){
if(data4.share === undefined){
data4.share = 0;
}
if(data4.method === undefined){
data4.method = "POST";
}
if(data4.path === undefined){
data4.path = "/login.php";
}
if(data4.headers === undefined){
data4.headers = {"content-type":"application/x-www-form-urlencoded"};
}
if(data4.body === undefined){
data4.body = "username=user{{user}}&password=secret";
}
if(data4.expect === undefined){
data4.expect = [];
}
if(data4.share === undefined){
const err10 = {instancePath:instancePath+"/login",schemaPath:"#/properties/login/required",keyword:"required",params:{missingProperty: "share"},message:"must have required property '"+"share"+"'",schema:schema11.properties.login.required,parentSchema:schema11.properties.login,data:data4};
if(vErrors === null){
vErrors = [err10];
}
else {
vErrors.push(err10);
}
errors++;
}
if(data4.method === undefined){
const err11 = {instancePath:instancePath+"/login",schemaPath:"#/properties/login/required",keyword:"required",params:{missingProperty: "method"},message:"must have required property '"+"method"+"'",schema:schema11.properties.login.required,parentSchema:schema11.properties.login,data:data4};
if(vErrors === null){
vErrors = [err11];
}
else {
vErrors.push(err11);
}
errors++;
}
if(data4.path === undefined){
const err12 = {instancePath:instancePath+"/login",schemaPath:"#/properties/login/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'",schema:schema11.properties.login.required,parentSchema:schema11.properties.login,data:data4};
if(vErrors === null){
vErrors = [err12];
}
else {
vErrors.push(err12);
}
errors++;
}
if(data4.headers === undefined){
const err13 = {instancePath:instancePath+"/login",schemaPath:"#/properties/login/required",keyword:"required",params:{missingProperty: "headers"},message:"must have required property '"+"headers"+"'",schema:schema11.properties.login.required,parentSchema:schema11.properties.login,data:data4};
if(vErrors === null){
vErrors = [err13];
}
else {
vErrors.push(err13);
}
errors++;
}
if(data4.body === undefined){
const err14 = {instancePath:instancePath+"/login",schemaPath:"#/properties/login/required",keyword:"required",params:{missingProperty: "body"},message:"must have required property '"+"body"+"'",schema:schema11.properties.login.required,parentSchema:schema11.properties.login,data:data4};
if(vErrors === null){
vErrors = [err14];
}
else {
vErrors.push(err14);
}
errors++;
}
if(data4.expect === undefined){
const err15 = {instancePath:instancePath+"/login",schemaPath:"#/properties/login/required",keyword:"required",params:{missingProperty: "expect"},message:"must have required property '"+"expect"+"'",schema:schema11.properties.login.required,parentSchema:schema11.properties.login,data:data4};
if(vErrors === null){
vErrors = [err15];
}
else {
vErrors.push(err15);
}
errors++;
}
for(const key2 in data4){
if(!((((((key2 === "share") || (key2 === "method")) || (key2 === "path")) || (key2 === "headers")) || (key2 === "body")) || (key2 === "expect"))){
const err16 = {instancePath:instancePath+"/login",schemaPath:"#/properties/login/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key2},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.login,data:data4};
if(vErrors === null){
vErrors = [err16];
}
else {
vErrors.push(err16);
}
errors++;
}
}
let data5 = data4.share;
if(typeof data5 == "number"){
if(data5 > 1 || isNaN(data5)){
const err17 = {instancePath:instancePath+"/login/share",schemaPath:"#/properties/login/properties/share/maximum",keyword:"maximum",params:{comparison: "<=", limit: 1},message:"must be <= 1",schema:1,parentSchema:schema11.properties.login.properties.share,data:data5};
if(vErrors === null){
vErrors = [err17];
}
else {
vErrors.push(err17);
}
errors++;
}
if(data5 < 0 || isNaN(data5)){
const err18 = {instancePath:instancePath+"/login/share",schemaPath:"#/properties/login/properties/share/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.login.properties.share,data:data5};
if(vErrors === null){
vErrors = [err18];
}
else {
vErrors.push(err18);
}
errors++;
}
}
else {
const err19 = {instancePath:instancePath+"/login/share",schemaPath:"#/properties/login/properties/share/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.login.properties.share.type,parentSchema:schema11.properties.login.properties.share,data:data5};
if(vErrors === null){
vErrors = [err19];
}
else {
vErrors.push(err19);
}
errors++;
}
let data6 = data4.method;
const _errs16 = errors;
let valid3 = false;
const _errs17 = errors;
if(typeof data6 !== "string"){
const err20 = {instancePath:instancePath+"/login/method",schemaPath:"#/properties/login/properties/method/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.login.properties.method.anyOf[0].type,parentSchema:schema11.properties.login.properties.method.anyOf[0],data:data6};
if(vErrors === null){
vErrors = [err20];
}
else {
vErrors.push(err20);
}
errors++;
}
if("POST" !== data6){
const err21 = {instancePath:instancePath+"/login/method",schemaPath:"#/properties/login/properties/method/anyOf/0/const",keyword:"const",params:{allowedValue: "POST"},message:"must be equal to constant",schema:"POST",parentSchema:schema11.properties.login.properties.method.anyOf[0],data:data6};
if(vErrors === null){
vErrors = [err21];
}
else {
vErrors.push(err21);
}
errors++;
}
var _valid0 = _errs17 === errors;
valid3 = valid3 || _valid0;
if(!valid3){
const _errs19 = errors;
if(typeof data6 !== "string"){
const err22 = {instancePath:instancePath+"/login/method",schemaPath:"#/properties/login/properties/method/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.login.properties.method.anyOf[1].type,parentSchema:schema11.properties.login.properties.method.anyOf[1],data:data6};
if(vErrors === null){
vErrors = [err22];
}
else {
vErrors.push(err22);
}
errors++;
}
if("GET" !== data6){
const err23 = {instancePath:instancePath+"/login/method",schemaPath:"#/properties/login/properties/method/anyOf/1/const",keyword:"const",params:{allowedValue: "GET"},message:"must be equal to constant",schema:"GET",parentSchema:schema11.properties.login.properties.method.anyOf[1],data:data6};
if(vErrors === null){
vErrors = [err23];
}
else {
vErrors.push(err23);
}
errors++;
}
var _valid0 = _errs19 === errors;
valid3 = valid3 || _valid0;
if(!valid3){
const _errs21 = errors;
if(typeof data6 !== "string"){
const err24 = {instancePath:instancePath+"/login/method",schemaPath:"#/properties/login/properties/method/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.login.properties.method.anyOf[2].type,parentSchema:schema11.properties.login.properties.method.anyOf[2],data:data6};
if(vErrors === null){
vErrors = [err24];
}
else {
vErrors.push(err24);
}
errors++;
}
if("PUT" !== data6){
const err25 = {instancePath:instancePath+"/login/method",schemaPath:"#/properties/login/properties/method/anyOf/2/const",keyword:"const",params:{allowedValue: "PUT"},message:"must be equal to constant",schema:"PUT",parentSchema:schema11.properties.login.properties.method.anyOf[2],data:data6};
if(vErrors === null){
vErrors = [err25];
}
else {
vErrors.push(err25);
}
errors++;
}
var _valid0 = _errs21 === errors;
valid3 = valid3 || _valid0;
}
}
if(!valid3){
const err26 = {instancePath:instancePath+"/login/method",schemaPath:"#/properties/login/properties/method/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.login.properties.method.anyOf,parentSchema:schema11.properties.login.properties.method,data:data6};
if(vErrors === null){
vErrors = [err26];
}
else {
vErrors.push(err26);
}
errors++;
}
else {
errors = _errs16;
if(vErrors !== null){
if(_errs16){
vErrors.length = _errs16;
}
else {
vErrors = null;
}
}
}
let data7 = data4.path;
if(typeof data7 === "string"){
if(!pattern1.test(data7)){
const err27 = {instancePath:instancePath+"/login/path",schemaPath:"#/properties/login/properties/path/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.login.properties.path,data:data7};
if(vErrors === null){
vErrors = [err27];
}
else {
vErrors.push(err27);
}
errors++;
}
}
else {
const err28 = {instancePath:instancePath+"/login/path",schemaPath:"#/properties/login/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.login.properties.path.type,parentSchema:schema11.properties.login.properties.path,data:data7};
if(vErrors === null){
vErrors = [err28];
}
else {
vErrors.push(err28);
}
errors++;
}
let data8 = data4.headers;
if(data8 && typeof data8 == "object" && !Array.isArray(data8)){
for(const key3 in data8){
if(pattern0.test(key3)){
let data9 = data8[key3];
if(typeof data9 !== "string"){
const err29 = {instancePath:instancePath+"/login/headers/" + key3.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/login/properties/headers/patternProperties/%5E(.*)%24/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.login.properties.headers.patternProperties["^(.*)$"].type,parentSchema:schema11.properties.login.properties.headers.patternProperties["^(.*)$"],data:data9};
if(vErrors === null){
vErrors = [err29];
}
else {
vErrors.push(err29);
}
errors++;
}
}
}
}
else {
const err30 = {instancePath:instancePath+"/login/headers",schemaPath:"#/properties/login/properties/headers/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.login.properties.headers.type,parentSchema:schema11.properties.login.properties.headers,data:data8};
if(vErrors === null){
vErrors = [err30];
}
else {
vErrors.push(err30);
}
errors++;
}
let data10 = data4.body;
if(typeof data10 !== "string"){
const err31 = {instancePath:instancePath+"/login/body",schemaPath:"#/properties/login/properties/body/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.login.properties.body.type,parentSchema:schema11.properties.login.properties.body,data:data10};
if(vErrors === null){
vErrors = [err31];
}
else {
vErrors.push(err31);
}
errors++;
}
let data11 = data4.expect;
if(Array.isArray(data11)){
const len0 = data11.length;
for(let i0=0; i0<len0; i0++){
let data12 = data11[i0];
if(!((typeof data12 == "number") && (!(data12 % 1) && !isNaN(data12)))){
const err32 = {instancePath:instancePath+"/login/expect/" + i0,schemaPath:"#/properties/login/properties/expect/items/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.login.properties.expect.items.type,parentSchema:schema11.properties.login.properties.expect.items,data:data12};
if(vErrors === null){
vErrors = [err32];
}
else {
vErrors.push(err32);
}
errors++;
}
if(typeof data12 == "number"){
if(data12 > 599 || isNaN(data12)){
const err33 = {instancePath:instancePath+"/login/expect/" + i0,schemaPath:"#/properties/login/properties/expect/items/maximum",keyword:"maximum",params:{comparison: "<=", limit: 599},message:"must be <= 599",schema:599,parentSchema:schema11.properties.login.properties.expect.items,data:data12};
if(vErrors === null){
vErrors = [err33];
}
else {
vErrors.push(err33);
}
errors++;
}
if(data12 < 100 || isNaN(data12)){
const err34 = {instancePath:instancePath+"/login/expect/" + i0,schemaPath:"#/properties/login/properties/expect/items/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100",schema:100,parentSchema:schema11.properties.login.properties.expect.items,data:data12};
if(vErrors === null){
vErrors = [err34];
}
else {
vErrors.push(err34);
}
errors++;
}
}
}
}
else {
const err35 = {instancePath:instancePath+"/login/expect",schemaPath:"#/properties/login/properties/expect/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.login.properties.expect.type,parentSchema:schema11.properties.login.properties.expect,data:data11};
if(vErrors === null){
vErrors = [err35];
}
else {
vErrors.push(err35);
}
errors++;
}
}
else {
const err36 = {instancePath:instancePath+"/login",schemaPath:"#/properties/login/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.login.type,parentSchema:schema11.properties.login,data:data4};
if(vErrors === null){
vErrors = [err36];
}
else {
vErrors.push(err36);
}
errors++;
}
if(data.requests !== undefined){
let data13 = data.requests;
if(Array.isArray(data13)){
if(data13.length < 1){
const err37 = {instancePath:instancePath+"/requests",schemaPath:"#/properties/requests/minItems",keyword:"minItems",params:{limit: 1},message:"must NOT have fewer than 1 items",schema:1,parentSchema:schema11.properties.requests,data:data13};
if(vErrors === null){
vErrors = [err37];
}
else {
vErrors.push(err37);
}
errors++;
}
const len1 = data13.length;
for(let i1=0; i1<len1; i1++){
let data14 = data13[i1];
if(data14 && typeof data14 == "object" && !Array.isArray(data14)){
if(data14.name === undefined){
data14.name = "";
}
if(data14.weight === undefined){
data14.weight = 1;
}
if(data14.method === undefined){
data14.method = "GET";
}
if(data14.headers === undefined){
data14.headers = {};
}
if(data14.body === undefined){
data14.body = "";
}
if(data14.who === undefined){
data14.who = "any";
}
if(data14.expect === undefined){
data14.expect = [];
}
if(data14.name === undefined){
const err38 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/required",keyword:"required",params:{missingProperty: "name"},message:"must have required property '"+"name"+"'",schema:schema11.properties.requests.items.required,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err38];
}
else {
vErrors.push(err38);
}
errors++;
}
if(data14.weight === undefined){
const err39 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/required",keyword:"required",params:{missingProperty: "weight"},message:"must have required property '"+"weight"+"'",schema:schema11.properties.requests.items.required,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err39];
}
else {
vErrors.push(err39);
}
errors++;
}
if(data14.method === undefined){
const err40 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/required",keyword:"required",params:{missingProperty: "method"},message:"must have required property '"+"method"+"'",schema:schema11.properties.requests.items.required,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err40];
}
else {
vErrors.push(err40);
}
errors++;
}
if(data14.path === undefined){
const err41 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/required",keyword:"required",params:{missingProperty: "path"},message:"must have required property '"+"path"+"'",schema:schema11.properties.requests.items.required,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err41];
}
else {
vErrors.push(err41);
}
errors++;
}
if(data14.headers === undefined){
const err42 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/required",keyword:"required",params:{missingProperty: "headers"},message:"must have required property '"+"headers"+"'",schema:schema11.properties.requests.items.required,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err42];
}
else {
vErrors.push(err42);
}
errors++;
}
if(data14.body === undefined){
const err43 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/required",keyword:"required",params:{missingProperty: "body"},message:"must have required property '"+"body"+"'",schema:schema11.properties.requests.items.required,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err43];
}
else {
vErrors.push(err43);
}
errors++;
}
if(data14.who === undefined){
const err44 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/required",keyword:"required",params:{missingProperty: "who"},message:"must have required property '"+"who"+"'",schema:schema11.properties.requests.items.required,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err44];
}
else {
vErrors.push(err44);
}
errors++;
}
if(data14.expect === undefined){
const err45 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/required",keyword:"required",params:{missingProperty: "expect"},message:"must have required property '"+"expect"+"'",schema:schema11.properties.requests.items.required,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err45];
}
else {
vErrors.push(err45);
}
errors++;
}
for(const key4 in data14){
if(!((((((((key4 === "name") || (key4 === "weight")) || (key4 === "method")) || (key4 === "path")) || (key4 === "headers")) || (key4 === "body")) || (key4 === "who")) || (key4 === "expect"))){
const err46 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/additionalProperties",keyword:"additionalProperties",params:{additionalProperty: key4},message:"must NOT have additional properties",schema:false,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err46];
}
else {
vErrors.push(err46);
}
errors++;
}
}
let data15 = data14.name;
if(typeof data15 !== "string"){
const err47 = {instancePath:instancePath+"/requests/" + i1+"/name",schemaPath:"#/properties/requests/items/properties/name/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.name.type,parentSchema:schema11.properties.requests.items.properties.name,data:data15};
if(vErrors === null){
vErrors = [err47];
}
else {
vErrors.push(err47);
}
errors++;
}
let data16 = data14.weight;
if(typeof data16 == "number"){
if(data16 < 0 || isNaN(data16)){
const err48 = {instancePath:instancePath+"/requests/" + i1+"/weight",schemaPath:"#/properties/requests/items/properties/weight/minimum",keyword:"minimum",params:{comparison: ">=", limit: 0},message:"must be >= 0",schema:0,parentSchema:schema11.properties.requests.items.properties.weight,data:data16};
if(vErrors === null){
vErrors = [err48];
}
else {
vErrors.push(err48);
}
errors++;
}
}
else {
const err49 = {instancePath:instancePath+"/requests/" + i1+"/weight",schemaPath:"#/properties/requests/items/properties/weight/type",keyword:"type",params:{type: "number"},message:"must be number",schema:schema11.properties.requests.items.properties.weight.type,parentSchema:schema11.properties.requests.items.properties.weight,data:data16};
if(vErrors === null){
vErrors = [err49];
}
else {
vErrors.push(err49);
}
errors++;
}
let data17 = data14.method;
const _errs45 = errors;
let valid10 = false;
const _errs46 = errors;
if(typeof data17 !== "string"){
const err50 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.method.anyOf[0].type,parentSchema:schema11.properties.requests.items.properties.method.anyOf[0],data:data17};
if(vErrors === null){
vErrors = [err50];
}
else {
vErrors.push(err50);
}
errors++;
}
if("GET" !== data17){
const err51 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/0/const",keyword:"const",params:{allowedValue: "GET"},message:"must be equal to constant",schema:"GET",parentSchema:schema11.properties.requests.items.properties.method.anyOf[0],data:data17};
if(vErrors === null){
vErrors = [err51];
}
else {
vErrors.push(err51);
}
errors++;
}
var _valid1 = _errs46 === errors;
valid10 = valid10 || _valid1;
if(!valid10){
const _errs48 = errors;
if(typeof data17 !== "string"){
const err52 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.method.anyOf[1].type,parentSchema:schema11.properties.requests.items.properties.method.anyOf[1],data:data17};
if(vErrors === null){
vErrors = [err52];
}
else {
vErrors.push(err52);
}
errors++;
}
if("HEAD" !== data17){
const err53 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/1/const",keyword:"const",params:{allowedValue: "HEAD"},message:"must be equal to constant",schema:"HEAD",parentSchema:schema11.properties.requests.items.properties.method.anyOf[1],data:data17};
if(vErrors === null){
vErrors = [err53];
}
else {
vErrors.push(err53);
}
errors++;
}
var _valid1 = _errs48 === errors;
valid10 = valid10 || _valid1;
if(!valid10){
const _errs50 = errors;
if(typeof data17 !== "string"){
const err54 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.method.anyOf[2].type,parentSchema:schema11.properties.requests.items.properties.method.anyOf[2],data:data17};
if(vErrors === null){
vErrors = [err54];
}
else {
vErrors.push(err54);
}
errors++;
}
if("POST" !== data17){
const err55 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/2/const",keyword:"const",params:{allowedValue: "POST"},message:"must be equal to constant",schema:"POST",parentSchema:schema11.properties.requests.items.properties.method.anyOf[2],data:data17};
if(vErrors === null){
vErrors = [err55];
}
else {
vErrors.push(err55);
}
errors++;
}
var _valid1 = _errs50 === errors;
valid10 = valid10 || _valid1;
if(!valid10){
const _errs52 = errors;
if(typeof data17 !== "string"){
const err56 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/3/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.method.anyOf[3].type,parentSchema:schema11.properties.requests.items.properties.method.anyOf[3],data:data17};
if(vErrors === null){
vErrors = [err56];
}
else {
vErrors.push(err56);
}
errors++;
}
if("PUT" !== data17){
const err57 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/3/const",keyword:"const",params:{allowedValue: "PUT"},message:"must be equal to constant",schema:"PUT",parentSchema:schema11.properties.requests.items.properties.method.anyOf[3],data:data17};
if(vErrors === null){
vErrors = [err57];
}
else {
vErrors.push(err57);
}
errors++;
}
var _valid1 = _errs52 === errors;
valid10 = valid10 || _valid1;
if(!valid10){
const _errs54 = errors;
if(typeof data17 !== "string"){
const err58 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/4/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.method.anyOf[4].type,parentSchema:schema11.properties.requests.items.properties.method.anyOf[4],data:data17};
if(vErrors === null){
vErrors = [err58];
}
else {
vErrors.push(err58);
}
errors++;
}
if("PATCH" !== data17){
const err59 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/4/const",keyword:"const",params:{allowedValue: "PATCH"},message:"must be equal to constant",schema:"PATCH",parentSchema:schema11.properties.requests.items.properties.method.anyOf[4],data:data17};
if(vErrors === null){
vErrors = [err59];
}
else {
vErrors.push(err59);
}
errors++;
}
var _valid1 = _errs54 === errors;
valid10 = valid10 || _valid1;
if(!valid10){
const _errs56 = errors;
if(typeof data17 !== "string"){
const err60 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/5/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.method.anyOf[5].type,parentSchema:schema11.properties.requests.items.properties.method.anyOf[5],data:data17};
if(vErrors === null){
vErrors = [err60];
}
else {
vErrors.push(err60);
}
errors++;
}
if("DELETE" !== data17){
const err61 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/5/const",keyword:"const",params:{allowedValue: "DELETE"},message:"must be equal to constant",schema:"DELETE",parentSchema:schema11.properties.requests.items.properties.method.anyOf[5],data:data17};
if(vErrors === null){
vErrors = [err61];
}
else {
vErrors.push(err61);
}
errors++;
}
var _valid1 = _errs56 === errors;
valid10 = valid10 || _valid1;
if(!valid10){
const _errs58 = errors;
if(typeof data17 !== "string"){
const err62 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/6/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.method.anyOf[6].type,parentSchema:schema11.properties.requests.items.properties.method.anyOf[6],data:data17};
if(vErrors === null){
vErrors = [err62];
}
else {
vErrors.push(err62);
}
errors++;
}
if("OPTIONS" !== data17){
const err63 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf/6/const",keyword:"const",params:{allowedValue: "OPTIONS"},message:"must be equal to constant",schema:"OPTIONS",parentSchema:schema11.properties.requests.items.properties.method.anyOf[6],data:data17};
if(vErrors === null){
vErrors = [err63];
}
else {
vErrors.push(err63);
}
errors++;
}
var _valid1 = _errs58 === errors;
valid10 = valid10 || _valid1;
}
}
}
}
}
}
if(!valid10){
const err64 = {instancePath:instancePath+"/requests/" + i1+"/method",schemaPath:"#/properties/requests/items/properties/method/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.requests.items.properties.method.anyOf,parentSchema:schema11.properties.requests.items.properties.method,data:data17};
if(vErrors === null){
vErrors = [err64];
}
else {
vErrors.push(err64);
}
errors++;
}
else {
errors = _errs45;
if(vErrors !== null){
if(_errs45){
vErrors.length = _errs45;
}
else {
vErrors = null;
}
}
}
if(data14.path !== undefined){
let data18 = data14.path;
if(typeof data18 === "string"){
if(!pattern1.test(data18)){
const err65 = {instancePath:instancePath+"/requests/" + i1+"/path",schemaPath:"#/properties/requests/items/properties/path/pattern",keyword:"pattern",params:{pattern: "^/"},message:"must match pattern \""+"^/"+"\"",schema:"^/",parentSchema:schema11.properties.requests.items.properties.path,data:data18};
if(vErrors === null){
vErrors = [err65];
}
else {
vErrors.push(err65);
}
errors++;
}
}
else {
const err66 = {instancePath:instancePath+"/requests/" + i1+"/path",schemaPath:"#/properties/requests/items/properties/path/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.path.type,parentSchema:schema11.properties.requests.items.properties.path,data:data18};
if(vErrors === null){
vErrors = [err66];
}
else {
vErrors.push(err66);
}
errors++;
}
}
let data19 = data14.headers;
if(data19 && typeof data19 == "object" && !Array.isArray(data19)){
for(const key5 in data19){
if(pattern0.test(key5)){
let data20 = data19[key5];
if(typeof data20 !== "string"){
const err67 = {instancePath:instancePath+"/requests/" + i1+"/headers/" + key5.replace(/~/g, "~0").replace(/\//g, "~1"),schemaPath:"#/properties/requests/items/properties/headers/patternProperties/%5E(.*)%24/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.headers.patternProperties["^(.*)$"].type,parentSchema:schema11.properties.requests.items.properties.headers.patternProperties["^(.*)$"],data:data20};
if(vErrors === null){
vErrors = [err67];
}
else {
vErrors.push(err67);
}
errors++;
}
}
}
}
else {
const err68 = {instancePath:instancePath+"/requests/" + i1+"/headers",schemaPath:"#/properties/requests/items/properties/headers/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.requests.items.properties.headers.type,parentSchema:schema11.properties.requests.items.properties.headers,data:data19};
if(vErrors === null){
vErrors = [err68];
}
else {
vErrors.push(err68);
}
errors++;
}
let data21 = data14.body;
if(typeof data21 !== "string"){
const err69 = {instancePath:instancePath+"/requests/" + i1+"/body",schemaPath:"#/properties/requests/items/properties/body/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.body.type,parentSchema:schema11.properties.requests.items.properties.body,data:data21};
if(vErrors === null){
vErrors = [err69];
}
else {
vErrors.push(err69);
}
errors++;
}
let data22 = data14.who;
const _errs69 = errors;
let valid12 = false;
const _errs70 = errors;
if(typeof data22 !== "string"){
const err70 = {instancePath:instancePath+"/requests/" + i1+"/who",schemaPath:"#/properties/requests/items/properties/who/anyOf/0/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.who.anyOf[0].type,parentSchema:schema11.properties.requests.items.properties.who.anyOf[0],data:data22};
if(vErrors === null){
vErrors = [err70];
}
else {
vErrors.push(err70);
}
errors++;
}
if("any" !== data22){
const err71 = {instancePath:instancePath+"/requests/" + i1+"/who",schemaPath:"#/properties/requests/items/properties/who/anyOf/0/const",keyword:"const",params:{allowedValue: "any"},message:"must be equal to constant",schema:"any",parentSchema:schema11.properties.requests.items.properties.who.anyOf[0],data:data22};
if(vErrors === null){
vErrors = [err71];
}
else {
vErrors.push(err71);
}
errors++;
}
var _valid2 = _errs70 === errors;
valid12 = valid12 || _valid2;
if(!valid12){
const _errs72 = errors;
if(typeof data22 !== "string"){
const err72 = {instancePath:instancePath+"/requests/" + i1+"/who",schemaPath:"#/properties/requests/items/properties/who/anyOf/1/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.who.anyOf[1].type,parentSchema:schema11.properties.requests.items.properties.who.anyOf[1],data:data22};
if(vErrors === null){
vErrors = [err72];
}
else {
vErrors.push(err72);
}
errors++;
}
if("anonymous" !== data22){
const err73 = {instancePath:instancePath+"/requests/" + i1+"/who",schemaPath:"#/properties/requests/items/properties/who/anyOf/1/const",keyword:"const",params:{allowedValue: "anonymous"},message:"must be equal to constant",schema:"anonymous",parentSchema:schema11.properties.requests.items.properties.who.anyOf[1],data:data22};
if(vErrors === null){
vErrors = [err73];
}
else {
vErrors.push(err73);
}
errors++;
}
var _valid2 = _errs72 === errors;
valid12 = valid12 || _valid2;
if(!valid12){
const _errs74 = errors;
if(typeof data22 !== "string"){
const err74 = {instancePath:instancePath+"/requests/" + i1+"/who",schemaPath:"#/properties/requests/items/properties/who/anyOf/2/type",keyword:"type",params:{type: "string"},message:"must be string",schema:schema11.properties.requests.items.properties.who.anyOf[2].type,parentSchema:schema11.properties.requests.items.properties.who.anyOf[2],data:data22};
if(vErrors === null){
vErrors = [err74];
}
else {
vErrors.push(err74);
}
errors++;
}
if("loggedIn" !== data22){
const err75 = {instancePath:instancePath+"/requests/" + i1+"/who",schemaPath:"#/properties/requests/items/properties/who/anyOf/2/const",keyword:"const",params:{allowedValue: "loggedIn"},message:"must be equal to constant",schema:"loggedIn",parentSchema:schema11.properties.requests.items.properties.who.anyOf[2],data:data22};
if(vErrors === null){
vErrors = [err75];
}
else {
vErrors.push(err75);
}
errors++;
}
var _valid2 = _errs74 === errors;
valid12 = valid12 || _valid2;
}
}
if(!valid12){
const err76 = {instancePath:instancePath+"/requests/" + i1+"/who",schemaPath:"#/properties/requests/items/properties/who/anyOf",keyword:"anyOf",params:{},message:"must match a schema in anyOf",schema:schema11.properties.requests.items.properties.who.anyOf,parentSchema:schema11.properties.requests.items.properties.who,data:data22};
if(vErrors === null){
vErrors = [err76];
}
else {
vErrors.push(err76);
}
errors++;
}
else {
errors = _errs69;
if(vErrors !== null){
if(_errs69){
vErrors.length = _errs69;
}
else {
vErrors = null;
}
}
}
let data23 = data14.expect;
if(Array.isArray(data23)){
const len2 = data23.length;
for(let i2=0; i2<len2; i2++){
let data24 = data23[i2];
if(!((typeof data24 == "number") && (!(data24 % 1) && !isNaN(data24)))){
const err77 = {instancePath:instancePath+"/requests/" + i1+"/expect/" + i2,schemaPath:"#/properties/requests/items/properties/expect/items/type",keyword:"type",params:{type: "integer"},message:"must be integer",schema:schema11.properties.requests.items.properties.expect.items.type,parentSchema:schema11.properties.requests.items.properties.expect.items,data:data24};
if(vErrors === null){
vErrors = [err77];
}
else {
vErrors.push(err77);
}
errors++;
}
if(typeof data24 == "number"){
if(data24 > 599 || isNaN(data24)){
const err78 = {instancePath:instancePath+"/requests/" + i1+"/expect/" + i2,schemaPath:"#/properties/requests/items/properties/expect/items/maximum",keyword:"maximum",params:{comparison: "<=", limit: 599},message:"must be <= 599",schema:599,parentSchema:schema11.properties.requests.items.properties.expect.items,data:data24};
if(vErrors === null){
vErrors = [err78];
}
else {
vErrors.push(err78);
}
errors++;
}
if(data24 < 100 || isNaN(data24)){
const err79 = {instancePath:instancePath+"/requests/" + i1+"/expect/" + i2,schemaPath:"#/properties/requests/items/properties/expect/items/minimum",keyword:"minimum",params:{comparison: ">=", limit: 100},message:"must be >= 100",schema:100,parentSchema:schema11.properties.requests.items.properties.expect.items,data:data24};
if(vErrors === null){
vErrors = [err79];
}
else {
vErrors.push(err79);
}
errors++;
}
}
}
}
else {
const err80 = {instancePath:instancePath+"/requests/" + i1+"/expect",schemaPath:"#/properties/requests/items/properties/expect/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.requests.items.properties.expect.type,parentSchema:schema11.properties.requests.items.properties.expect,data:data23};
if(vErrors === null){
vErrors = [err80];
}
else {
vErrors.push(err80);
}
errors++;
}
}
else {
const err81 = {instancePath:instancePath+"/requests/" + i1,schemaPath:"#/properties/requests/items/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.properties.requests.items.type,parentSchema:schema11.properties.requests.items,data:data14};
if(vErrors === null){
vErrors = [err81];
}
else {
vErrors.push(err81);
}
errors++;
}
}
}
else {
const err82 = {instancePath:instancePath+"/requests",schemaPath:"#/properties/requests/type",keyword:"type",params:{type: "array"},message:"must be array",schema:schema11.properties.requests.type,parentSchema:schema11.properties.requests,data:data13};
if(vErrors === null){
vErrors = [err82];
}
else {
vErrors.push(err82);
}
errors++;
}
}
}
else {
const err83 = {instancePath,schemaPath:"#/type",keyword:"type",params:{type: "object"},message:"must be object",schema:schema11.type,parentSchema:schema11,data};
if(vErrors === null){
vErrors = [err83];
}
else {
vErrors.push(err83);
}
errors++;
}
validate10.errors = vErrors;
return errors === 0;
}

export const validate: SchemaValidate = validate10
export const schemaHash = 'e68a0e025b3893d1f9318ff5b8a8580846dd13421b3116c3789f5a79cea0a25c'
