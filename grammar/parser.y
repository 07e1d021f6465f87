/*
 * parser.y — the .fab grammar (Bison). Generated into parser.c / parser.h at build time.
 *
 * In:  tokens from lex_next (grammar/lexer.re). Out: the AST (compiler/ast.h) of one file.
 * Every action is one call to an AST constructor; all meaning lives in sema.
 * Pure and reentrant (api.pure full), with locations (fab_loc byte spans), zero conflicts
 * (%expect 0). Error recovery: a broken property, route entry or top-level declaration is
 * skipped up to the next one, so every syntax error of a file is reported in one run.
 * Discarded semantic values are arena nodes: the %destructor only counts them (the arena
 * releases them with everything else).
 * yylex repairs two mistakes before the grammar sees them (one error each): a misspelled
 * declaration keyword at the top level, and brackets left open before the next declaration
 * (see parse.h).
 * Newlines are not tokens: that block items (properties, route entries) are separated by a
 * newline or `;` is checked from the text between them (parse_separated).
 */
%code requires {
#include "ast.h"
#include "loc.h"
typedef struct parse_ctx parse_ctx;
#define YYLTYPE fab_loc
#define YYLTYPE_IS_DECLARED 1
}

%code provides {
int yylex(YYSTYPE *lval, YYLTYPE *lloc, parse_ctx *P);
}

%code {
#include <stdio.h>
#include <string.h>
#include "diag.h"
#include "hint.h"
#include "parse.h"
#include "model.h"

#define A (P->a)

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                   \
    do {                                                              \
        if (N) {                                                      \
            (Cur).file = YYRHSLOC(Rhs, 1).file;                       \
            (Cur).start = YYRHSLOC(Rhs, 1).start;                     \
            (Cur).end = YYRHSLOC(Rhs, N).end;                         \
        } else {                                                      \
            (Cur).file = YYRHSLOC(Rhs, 0).file;                       \
            (Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end;           \
        }                                                             \
    } while (0)

#define YYMAXDEPTH 2000
/* Bison's own "memory exhausted" (nesting deeper than YYMAXDEPTH) comes through yyerror. */
static void yyerror(YYLTYPE *loc, parse_ctx *P, const char *msg)
{
    (void)msg;
    diag_error(P->dc, *loc, "input nested too deeply (more than %d levels of parentheses, brackets or braces)", YYMAXDEPTH);
}

/* Error productions for common mistakes: report with a hint (unless the parser is still
 * recovering from an earlier error), keep the node so that the rest is still checked. */
static ast_node *parse_mistake(parse_ctx *P, int recovering, YYLTYPE loc, const char *msg, ast_node *n)
{
    if (!recovering)
        diag_error(P->dc, loc, "%s", msg);
    return n;
}

/* Block items (properties, attributes, failure modes, routes; route entries) are separated by
 * a newline or ';'. Newlines are not tokens: the text between the items so far (ending at
 * prev_end: the end of the '{', of a ';' item or of the previous item) and the next item tells.
 * A newline there (a line comment ends in one) separates them, and so does a ';' or '{' just
 * before it. Otherwise one error at the next item, which is kept (no cascade). Nothing after an
 * item that was a syntax error, or while the parser recovers from one. */
static void parse_separated(parse_ctx *P, int recovering, const ast_node *items, uint32_t prev_end,
                            const ast_node *item, const char *what)
{
    if (recovering || !item || item->kind == AST_ERROR)
        return;
    if (items && items->nkids > 0 && items->kids[items->nkids - 1]->kind == AST_ERROR)
        return;
    const diag_file *f = diag_get_file(P->dc, item->loc.file);
    if (!f || prev_end == 0 || prev_end > item->loc.start || item->loc.start > f->len)
        return;
    for (uint32_t i = prev_end; i < item->loc.start; i++)
        if (f->text[i] == '\n')
            return;
    char before = f->text[prev_end - 1];
    if (before == ';' || before == '{')
        return;
    uint32_t e = item->loc.start;
    while (e < item->loc.end && e - item->loc.start < 64 &&
           ((f->text[e] >= 'a' && f->text[e] <= 'z') || (f->text[e] >= 'A' && f->text[e] <= 'Z') ||
            (f->text[e] >= '0' && f->text[e] <= '9') || f->text[e] == '_'))
        e++;
    fab_loc at = {item->loc.file, item->loc.start, e > item->loc.start ? e : item->loc.start + 1};
    diag_error(P->dc, at, "missing ';' or a newline before '%.*s' (%s on one line are separated by ';')",
               (int)(at.end - at.start), f->text + at.start, what);
}

/* `flw a -> b`: a flow whose keyword is misspelled; kept as a flow when the word is near
 * `flow` (so its elements count as connected), else an ERROR node. */
static ast_node *parse_misspelled_flow(parse_ctx *P, int recovering, YYLTYPE loc, ast_node *kw, ast_node *chain)
{
    if (hint_distance(kw->name, "flow") <= 2) {
        if (!recovering)
            diag_error(P->dc, kw->loc, "unknown declaration '%s'; did you mean 'flow'?", kw->name);
        return ast_head(chain, AST_FLOW, loc, 0, NULL);
    }
    if (!recovering)
        diag_error(P->dc, kw->loc, "unexpected identifier '%s', expected a declaration (a flow is written `flow a -> b`)", kw->name);
    return ast_new(P->a, AST_ERROR, loc);
}

/* `staton press { ... }`: a declaration whose keyword is misspelled. When the word is near an
 * element keyword (or `part`), one error with the hint, and the declaration is kept as that
 * kind, so that flows naming it do not cascade into "unknown element" errors. Otherwise the
 * usual "expected a declaration" error and an ERROR node. */
static ast_node *parse_misspelled_decl(parse_ctx *P, int recovering, YYLTYPE loc, ast_node *kw,
                                       ast_node *name, ast_node *body)
{
    static const struct { const char *spelling; int kind; } decl_words[] = {
        {"source", FM_ELEM_SOURCE}, {"station", FM_ELEM_STATION}, {"buffer", FM_ELEM_BUFFER},
        {"conveyor", FM_ELEM_CONVEYOR}, {"assembly", FM_ELEM_ASSEMBLY}, {"sink", FM_ELEM_SINK},
        {"part", -1},
    };
    const char *best = NULL;
    int best_kind = 0, best_d = 3;
    for (size_t i = 0; i < sizeof decl_words / sizeof decl_words[0]; i++) {
        int d = hint_distance(kw->name, decl_words[i].spelling);
        if (d < best_d) {
            best_d = d;
            best = decl_words[i].spelling;
            best_kind = decl_words[i].kind;
        }
    }
    if (!best || best_d > (int)strlen(best) / 3 + 1) {
        if (!recovering)
            diag_error(P->dc, kw->loc, "unexpected identifier '%s', expected a declaration (model, part, source, station, buffer, conveyor, assembly, sink, flow, route, template, fn, import)", kw->name);
        return ast_new(P->a, AST_ERROR, loc);
    }
    if (!recovering)
        diag_error(P->dc, kw->loc, "unknown declaration '%s'; did you mean '%s'?", kw->name, best);
    if (best_kind < 0)
        return ast_decl(P->a, AST_PART, loc, 0, name, body);
    return ast_decl(P->a, AST_ELEMENT, loc, best_kind, name, body);
}
}

%define api.pure full
%define api.token.prefix {TOK_}
%define parse.error custom
%locations
%param {parse_ctx *P}
%expect 0

%union {
    ast_node *node;
    int ival;
}

%token <node> IDENT "identifier" NUMBER "number" QUANTITY "quantity" STRING "string"
%token IMPORT "import" MODEL "model" PART "part" SOURCE "source" STATION "station"
%token BUFFER "buffer" CONVEYOR "conveyor" ASSEMBLY "assembly" SINK "sink" FLOW "flow"
%token ROUTE "route" FAILURE "failure" ATTR "attr" TEMPLATE "template" FN "fn"
%token WHEN "when" OTHERWISE "otherwise" IF "if" THEN "then" ELSE "else"
%token AND "and" OR "or" NOT "not" TRUE "true" FALSE "false" INF "inf"
%token CLAMP "clamp" TRUNCATE "truncate" BY "by" ASCENDING "ascending" DESCENDING "descending"
%token ARROW "->" LE "<=" GE ">=" EQ "==" NE "!="

%type <node> file items item body body_item route_body route_item flow_chain tparams tparam_list
%type <node> tparam fn_params fn_param_list fn_param args arg_list arg value expr postfix primary
%type <node> map_entries map_list map_entry expr_list prop_name item_word
%type <ival> elem_kind

%destructor { (void)$$; P->discarded++; } <node>

%precedence ELSE
%left OR
%left AND
%precedence NOT
%nonassoc '<' '>' LE GE EQ NE
%left '+' '-'
%left '*' '/'
%precedence UMINUS

%start file

%%

/* file: item* */
file
    : items                         { P->root = $1; $$ = $1; }
    ;

items
    : %empty                        { $$ = ast_new(A, AST_FILE, @$); }
    | items item                    { $$ = ast_add(A, $1, $2); }
    ;

/* item: import | model | part | element | instance | template | fn | flow | route */
item
    : IMPORT STRING                                 { $$ = ast_head($2, AST_IMPORT, @$, 0, NULL); }
    | MODEL STRING '{' body '}'                     { $$ = ast_decl(A, AST_MODEL, @$, 0, $2, $4); }
    | PART IDENT                                    { $$ = ast_decl(A, AST_PART, @$, 0, $2, NULL); }
    | PART IDENT '{' body '}'                       { $$ = ast_decl(A, AST_PART, @$, 0, $2, $4); }
    | elem_kind IDENT                               { $$ = ast_decl(A, AST_ELEMENT, @$, $1, $2, NULL); }
    | elem_kind IDENT '{' body '}'                  { $$ = ast_decl(A, AST_ELEMENT, @$, $1, $2, $4); }
    | elem_kind IDENT '=' IDENT '(' args ')'        { $$ = ast_decl(A, AST_INSTANCE, @$, $1, $2, ast_node3(A, AST_INSTANCE, @$, $1, ast_head($6, AST_CALL, @4, 0, $4->name), NULL, NULL)); }
    | TEMPLATE IDENT '(' tparams ')' elem_kind '{' body '}' { $$ = ast_decl(A, AST_TEMPLATE, @$, $6, $2, ast_node3(A, AST_TEMPLATE, @$, $6, $4, ast_decl(A, AST_ELEMENT, @$, $6, $2, $8), NULL)); }
    | FN IDENT '(' fn_params ')' '=' expr           { $$ = ast_decl(A, AST_FN, @$, 0, $2, ast_node3(A, AST_FN, @$, 0, $4, $7, NULL)); }
    | FLOW flow_chain                               { $$ = ast_head($2, AST_FLOW, @$, 0, NULL); }
    | ROUTE IDENT '{' route_body '}'                { $$ = ast_decl(A, AST_ROUTE, @$, 0, $2, $4); }
    | item_word flow_chain                          { $$ = parse_misspelled_flow(P, YYRECOVERING(), @$, $1, $2); }
    | item_word IDENT                               { $$ = parse_misspelled_decl(P, YYRECOVERING(), @$, $1, $2, NULL); }
    | item_word IDENT '{' body '}'                  { $$ = parse_misspelled_decl(P, YYRECOVERING(), @$, $1, $2, $4); }
    | error                                         { $$ = ast_new(A, AST_ERROR, @$); }
    ;

/* A word where a declaration keyword belongs: remembered, so that a syntax error right after
 * it (`stray` then `fn ...`) names the word rather than the next token. */
item_word
    : IDENT                         { P->item_word = $1; $$ = $1; }
    ;

elem_kind
    : SOURCE                        { $$ = FM_ELEM_SOURCE; }
    | STATION                       { $$ = FM_ELEM_STATION; }
    | BUFFER                        { $$ = FM_ELEM_BUFFER; }
    | CONVEYOR                      { $$ = FM_ELEM_CONVEYOR; }
    | ASSEMBLY                      { $$ = FM_ELEM_ASSEMBLY; }
    | SINK                          { $$ = FM_ELEM_SINK; }
    ;

/* body: (prop | attr | failure | route | ';')* -- a route inside a body routes that element */
body
    : %empty                        { $$ = ast_new(A, AST_ERROR, @$); }
    | body body_item                { parse_separated(P, YYRECOVERING(), $1, @1.end, $2, "properties"); $$ = ast_add(A, $1, $2); }
    ;

body_item
    : prop_name '=' value                       { $$ = ast_named(A, AST_PROP, @$, $1->name, $3, NULL); }
    | prop_name ':' value                       { $$ = parse_mistake(P, YYRECOVERING(), @2, "properties are set with '=', not ':' (write `name = value`)", ast_named(A, AST_PROP, @$, $1->name, $3, NULL)); }
    | ATTR IDENT '=' value                      { $$ = ast_named(A, AST_ATTR, @$, $2->name, $4, NULL); }
    | FAILURE IDENT '{' body '}'                { $$ = ast_decl(A, AST_FAILURE, @$, 0, $2, $4); }
    | FAILURE '{' body '}'                      { $$ = parse_mistake(P, YYRECOVERING(), @1, "a failure mode needs a name: write `failure NAME { ... }`, e.g. `failure jam { ... }`", ast_decl(A, AST_FAILURE, @$, 0, ast_leaf_name(A, AST_IDENT, @1, "failure"), $3)); }
    | ROUTE '{' route_body '}'                  { $$ = ast_decl(A, AST_ROUTE, @$, 0, NULL, $3); }
    | ';'                                       { $$ = NULL; }
    | error                                     { $$ = ast_new(A, AST_ERROR, @$); }
    ;

prop_name
    : IDENT                         { $$ = $1; }
    | PART                          { $$ = ast_leaf_name(A, AST_IDENT, @$, "part"); }
    ;

/* value: expr | by expr (ascending | descending) */
value
    : expr                          { $$ = $1; }
    | BY expr ASCENDING             { $$ = ast_node3(A, AST_ORDER_BY, @$, AST_ORDER_ASC, $2, NULL, NULL); }
    | BY expr DESCENDING            { $$ = ast_node3(A, AST_ORDER_BY, @$, AST_ORDER_DESC, $2, NULL, NULL); }
    ;

/* template parameters: name: type [= default] */
tparams
    : %empty                        { $$ = ast_new(A, AST_PARAMS, @$); }
    | tparam_list                   { $$ = $1; }
    | tparam_list ','               { $$ = $1; }
    ;

tparam_list
    : tparam                        { $$ = ast_node3(A, AST_PARAMS, @$, 0, $1, NULL, NULL); }
    | tparam_list ',' tparam        { $$ = ast_add(A, $1, $3); }
    ;

tparam
    : IDENT ':' IDENT               { $$ = ast_named(A, AST_TPARAM, @$, $1->name, $3, NULL); }
    | IDENT ':' IDENT '=' expr      { $$ = ast_named(A, AST_TPARAM, @$, $1->name, $3, $5); }
    | PART ':' IDENT                { $$ = parse_mistake(P, YYRECOVERING(), @1, "a template parameter cannot be named 'part', a keyword: choose another name", ast_named(A, AST_TPARAM, @$, arena_intern(A, "part", 4), $3, NULL)); }
    | PART ':' IDENT '=' expr       { $$ = parse_mistake(P, YYRECOVERING(), @1, "a template parameter cannot be named 'part', a keyword: choose another name", ast_named(A, AST_TPARAM, @$, arena_intern(A, "part", 4), $3, $5)); }
    | error                         { $$ = ast_new(A, AST_ERROR, @$); }
    ;

fn_params
    : %empty                        { $$ = ast_new(A, AST_PARAMS, @$); }
    | fn_param_list                 { $$ = $1; }
    ;

fn_param_list
    : fn_param                      { $$ = ast_node3(A, AST_PARAMS, @$, 0, $1, NULL, NULL); }
    | fn_param_list ',' fn_param    { $$ = ast_add(A, $1, $3); }
    ;

fn_param
    : IDENT                         { $$ = $1; }
    | PART                          { $$ = ast_leaf_name(A, AST_IDENT, @$, "part"); }
    ;

/* flow a -> b -> c */
flow_chain
    : IDENT ARROW IDENT             { $$ = ast_node3(A, AST_FLOW, @$, 0, $1, $3, NULL); }
    | flow_chain ARROW IDENT        { $$ = ast_add(A, $1, $3); }
    ;

/* route body: target: probability | when expr -> target | otherwise -> target */
route_body
    : %empty                        { $$ = ast_new(A, AST_ROUTE, @$); }
    | route_body route_item         { parse_separated(P, YYRECOVERING(), $1, @1.end, $2, "route entries"); $$ = ast_add(A, $1, $2); }
    ;

route_item
    : IDENT ':' expr                { $$ = ast_node3(A, AST_ROUTE_PROB, @$, 0, $1, $3, NULL); }
    | IDENT '=' expr                { $$ = parse_mistake(P, YYRECOVERING(), @2, "route entries are written `successor: probability`, with ':'", ast_node3(A, AST_ROUTE_PROB, @$, 0, $1, $3, NULL)); }
    | WHEN expr ARROW IDENT         { $$ = ast_node3(A, AST_ROUTE_WHEN, @$, 0, $2, $4, NULL); }
    | OTHERWISE ARROW IDENT         { $$ = ast_node3(A, AST_ROUTE_OTHERWISE, @$, 0, $3, NULL, NULL); }
    | ';'                           { $$ = NULL; }
    | error                         { $$ = ast_new(A, AST_ERROR, @$); }
    ;

/* expressions, loosest first: if, or, and, not, comparison, + -, * /, unary -, postfix */
expr
    : IF expr THEN expr ELSE expr   { $$ = ast_node3(A, AST_IF, @$, 0, $2, $4, $6); }
    | expr OR expr                  { $$ = ast_binary(A, @$, AST_OP_OR, $1, $3); }
    | expr AND expr                 { $$ = ast_binary(A, @$, AST_OP_AND, $1, $3); }
    | NOT expr                      { $$ = ast_unary(A, @$, AST_OP_NOT, $2); }
    | expr EQ expr                  { $$ = ast_binary(A, @$, AST_OP_EQ, $1, $3); }
    | expr NE expr                  { $$ = ast_binary(A, @$, AST_OP_NE, $1, $3); }
    | expr '<' expr                 { $$ = ast_binary(A, @$, AST_OP_LT, $1, $3); }
    | expr LE expr                  { $$ = ast_binary(A, @$, AST_OP_LE, $1, $3); }
    | expr '>' expr                 { $$ = ast_binary(A, @$, AST_OP_GT, $1, $3); }
    | expr GE expr                  { $$ = ast_binary(A, @$, AST_OP_GE, $1, $3); }
    | expr '+' expr                 { $$ = ast_binary(A, @$, AST_OP_ADD, $1, $3); }
    | expr '-' expr                 { $$ = ast_binary(A, @$, AST_OP_SUB, $1, $3); }
    | expr '*' expr                 { $$ = ast_binary(A, @$, AST_OP_MUL, $1, $3); }
    | expr '/' expr                 { $$ = ast_binary(A, @$, AST_OP_DIV, $1, $3); }
    | '-' expr %prec UMINUS         { $$ = ast_unary(A, @$, AST_OP_NEG, $2); }
    | postfix                       { $$ = $1; }
    ;

postfix
    : primary                                   { $$ = $1; }
    | postfix '.' IDENT                         { $$ = ast_named(A, AST_MEMBER, @$, $3->name, $1, NULL); }
    | postfix CLAMP '[' expr ',' expr ']'       { $$ = ast_node3(A, AST_BOUND, @$, AST_BOUND_CLAMP, $1, $4, $6); }
    | postfix TRUNCATE '[' expr ',' expr ']'    { $$ = ast_node3(A, AST_BOUND, @$, AST_BOUND_TRUNCATE, $1, $4, $6); }
    ;

primary
    : NUMBER                        { $$ = $1; }
    | QUANTITY                      { $$ = $1; }
    | STRING                        { $$ = $1; }
    | INF                           { $$ = ast_new(A, AST_INF, @$); }
    | TRUE                          { $$ = ast_node3(A, AST_BOOL, @$, 1, NULL, NULL, NULL); }
    | FALSE                         { $$ = ast_node3(A, AST_BOOL, @$, 0, NULL, NULL, NULL); }
    | IDENT                         { $$ = $1; }
    | PART                          { $$ = ast_new(A, AST_PARTREF, @$); }
    | IDENT '(' args ')'            { $$ = ast_head($3, AST_CALL, @$, 0, $1->name); }
    | '(' expr ')'                  { $$ = $2; }
    | '{' map_entries '}'           { $$ = ast_head($2, AST_MAP, @$, 0, NULL); }
    | '[' expr_list ']'             { $$ = ast_head($2, AST_LIST, @$, 0, NULL); }
    ;

args
    : %empty                        { $$ = ast_new(A, AST_CALL, @$); }
    | arg_list                      { $$ = $1; }
    | arg_list ','                  { $$ = $1; }
    ;

arg_list
    : arg                           { $$ = ast_node3(A, AST_CALL, @$, 0, $1, NULL, NULL); }
    | arg_list ',' arg              { $$ = ast_add(A, $1, $3); }
    ;

arg
    : expr                          { $$ = $1; }
    | IDENT ':' expr                { $$ = ast_named(A, AST_NAMED, @$, $1->name, $3, NULL); }
    | PART ':' expr                 { $$ = ast_named(A, AST_NAMED, @$, arena_intern(A, "part", 4), $3, NULL); }
    | IDENT '=' expr                { $$ = parse_mistake(P, YYRECOVERING(), @2, "arguments are named with ':', not '=' (write `name: value`)", ast_named(A, AST_NAMED, @$, $1->name, $3, NULL)); }
    | error                         { $$ = ast_new(A, AST_ERROR, @$); }
    ;

map_entries
    : %empty                        { $$ = ast_new(A, AST_MAP, @$); }
    | map_list                      { $$ = $1; }
    | map_list ','                  { $$ = $1; }
    ;

map_list
    : map_entry                     { $$ = ast_node3(A, AST_MAP, @$, 0, $1, NULL, NULL); }
    | map_list ',' map_entry        { $$ = ast_add(A, $1, $3); }
    ;

map_entry
    : expr ':' expr                 { $$ = ast_node3(A, AST_MAP_ENTRY, @$, 0, $1, $3, NULL); }
    | error                         { $$ = ast_node3(A, AST_MAP_ENTRY, @$, 0, ast_new(A, AST_ERROR, @$), ast_new(A, AST_ERROR, @$), NULL); }
    ;

expr_list
    : %empty                        { $$ = ast_new(A, AST_LIST, @$); }
    | expr                          { $$ = ast_node3(A, AST_LIST, @$, 0, $1, NULL, NULL); }
    | expr_list ',' expr            { $$ = ast_add(A, $1, $3); }
    ;

%%

static bool starts_declaration(int tok)
{
    switch (tok) {
    case TOK_SOURCE: case TOK_STATION: case TOK_BUFFER: case TOK_CONVEYOR: case TOK_ASSEMBLY:
    case TOK_SINK: case TOK_FLOW: case TOK_MODEL: case TOK_TEMPLATE: case TOK_FN: case TOK_IMPORT:
        return true;
    default:
        return false;
    }
}

/* At the top level, after the end of a declaration, only a declaration keyword can come.
 * An identifier there close to one (`staton`, `rout`, `tempalte`, `modle`) is that keyword
 * misspelled: returns the keyword's token, else 0. */
static int misspelled_declaration_keyword(const char *word)
{
    static const char *const words[] = {"model", "part", "source", "station", "buffer", "conveyor", "assembly",
                                        "sink", "flow", "route", "template", "fn", "import"};
    if (!word || strlen(word) < 3)
        return 0;
    const char *kw = hint_nearest(word, words, sizeof words / sizeof words[0]);
    return kw ? lex_keyword(kw, strlen(kw)) : 0;
}

static bool ends_declaration(int tok)
{
    switch (tok) {
    case 0: case '}': case ')': case TOK_IDENT: case TOK_STRING: case TOK_NUMBER: case TOK_QUANTITY:
    case TOK_INF: case TOK_TRUE: case TOK_FALSE:
        return true;
    default:
        return false;
    }
}

/* lex_next, plus: a declaration keyword while brackets are open means they were never
 * closed (`station a { cycle = 3 s` then `station b ...`). One error, then the missing
 * closers are returned (empty spans just before the keyword), then the keyword itself. */
static int lex_repaired(YYSTYPE *lval, YYLTYPE *lloc, parse_ctx *P)
{
    lval->node = NULL;
    if (P->closers > 0) {
        char o = P->open[--P->nopen];
        P->closers--;
        *lloc = (fab_loc){P->held_loc.file, P->held_loc.start, P->held_loc.start};
        return o == '{' ? '}' : o == '(' ? ')' : ']';
    }
    if (P->held_tok) {
        int tok = P->held_tok;
        P->held_tok = 0;
        *lloc = P->held_loc;
        return tok;
    }
    ast_node *v = NULL;
    int tok = lex_next(&P->lex, &v, lloc);
    lval->node = v;
    int before = P->last_tok[0], before2 = P->last_tok[1];
    if (tok == TOK_IDENT && v && P->nopen == 0 && P->open_overflow == 0 && ends_declaration(before)) {
        int kw = misspelled_declaration_keyword(v->name);
        if (kw) {
            diag_error(P->dc, *lloc, "unknown declaration '%s'; did you mean '%s'?", v->name, lex_token_spelling(kw));
            tok = kw;
            lval->node = NULL;
        }
    }
    P->last_tok[1] = before;
    P->last_tok[0] = tok;
    if (tok == '{' || tok == '(' || tok == '[') {
        if (P->nopen < PARSE_MAX_OPEN) {
            P->open_route[P->nopen] = tok == '{' && (before == TOK_ROUTE || before2 == TOK_ROUTE);
            P->open[P->nopen] = (char)tok;
            P->open_loc[P->nopen++] = *lloc;
        } else
            P->open_overflow++;
    } else if (tok == '}' || tok == ')' || tok == ']') {
        if (P->open_overflow > 0)
            P->open_overflow--;
        else if (P->nopen > 0)
            P->nopen--;
    } else if (starts_declaration(tok) && P->nopen > 0 && P->open_overflow == 0) {
        char o = P->open[P->nopen - 1];
        const char *kw = lex_token_spelling(tok);
        diag_error(P->dc, *lloc, "missing '%c' before '%s' (a '%c' above is not closed)",
                   o == '{' ? '}' : o == '(' ? ')' : ']', kw ? kw : "?", o);
        diag_note(P->dc, P->open_loc[P->nopen - 1], "the unclosed '%c' is here", o);
        P->closers = P->nopen;
        P->held_tok = tok;
        P->held_loc = *lloc;
        return lex_repaired(lval, lloc, P);
    }
    return tok;
}

/* The parser's token source: lex_repaired, remembering the spans of the last two tokens. */
int yylex(YYSTYPE *lval, YYLTYPE *lloc, parse_ctx *P)
{
    int tok = lex_repaired(lval, lloc, P);
    P->tok_loc[1] = P->tok_loc[0];
    P->tok_loc[0] = *lloc;
    return tok;
}

/* Spelling of a symbol for messages: 'model', '{', identifier, number, end of file. */
static const char *sym_text(yysymbol_kind_t sym, char *buf, size_t n)
{
    const char *name = yysymbol_name(sym);
    switch (sym) {
    case YYSYMBOL_YYEOF: return "end of file";
    case YYSYMBOL_IDENT: return "identifier";
    case YYSYMBOL_NUMBER: return "number";
    case YYSYMBOL_QUANTITY: return "quantity";
    case YYSYMBOL_STRING: return "string";
    default: break;
    }
    if (name[0] == '\'' || name[0] == '"') {
        size_t len = strlen(name);
        snprintf(buf, n, "'%.*s'", (int)(len >= 2 ? len - 2 : 0), name + 1);
        return buf;
    }
    snprintf(buf, n, "'%s'", name);
    return buf;
}

/* True when sym is the one-character token c (Bison names those symbols by number). */
static bool is_char_symbol(yysymbol_kind_t sym, char c)
{
    const char *name = yysymbol_name(sym);
    return name && name[0] == '\'' && name[1] == c && name[2] == '\'' && name[3] == 0;
}

static bool expects(const yysymbol_kind_t *exp, int n, yysymbol_kind_t sym)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == sym)
            return true;
    return false;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, parse_ctx *P)
{
    enum { MAXEXP = YYNTOKENS };
    yysymbol_kind_t exp[MAXEXP];
    int nexp = yypcontext_expected_tokens(ctx, exp, MAXEXP);
    /* 'part' is accepted where a name is only to report it (a template parameter named
     * `part`) or as a name of its own (a property, a fn parameter): "identifier" covers it */
    if (expects(exp, nexp, YYSYMBOL_IDENT)) {
        int k = 0;
        for (int i = 0; i < nexp; i++)
            if (exp[i] != YYSYMBOL_PART)
                exp[k++] = exp[i];
        nexp = k;
    }
    yysymbol_kind_t got = yypcontext_token(ctx);
    const YYLTYPE *loc = yypcontext_location(ctx);
    char msg[512], buf[64];
    size_t len = 0;
    const diag_file *f = diag_get_file(P->dc, loc->file);
    /* a word alone where a declaration belongs (`stray` then `fn ...`): the error is the word
     * (the token just before the lookahead), not the token after it */
    const ast_node *w = P->item_word;
    if (w && got != YYSYMBOL_IDENT && w->loc.file == P->tok_loc[1].file && w->loc.start == P->tok_loc[1].start) {
        P->item_word = NULL;
        diag_error(P->dc, w->loc, "unexpected identifier '%s', expected a declaration (%s)", w->name,
                   got == YYSYMBOL_ARROW ? "a flow is written `flow a -> b`"
                                         : "model, part, source, station, buffer, conveyor, assembly, sink, flow, route, template, fn, import");
        return 0;
    }
    bool ident_text = got == YYSYMBOL_IDENT && f && loc->end - loc->start < 64;
    if (ident_text)
        len += (size_t)snprintf(msg + len, sizeof msg - len, "unexpected identifier '%.*s'",
                                (int)(loc->end - loc->start), f->text + loc->start);
    else
        len += (size_t)snprintf(msg + len, sizeof msg - len, "unexpected %s", sym_text(got, buf, sizeof buf));
    /* an identifier where a keyword was expected: suggest the nearest expected keyword */
    const char *hint = NULL;
    static char hint_store[32];
    if (ident_text && nexp > 0) {
        char word[64];
        snprintf(word, sizeof word, "%.*s", (int)(loc->end - loc->start), f->text + loc->start);
        for (int i = 0; i < nexp; i++) {
            const char *kw = yysymbol_name(exp[i]);
            if (!lex_keyword(kw, strlen(kw)))
                continue;
            if (kw && strlen(kw) < sizeof hint_store && hint_distance(word, kw) <= 2 &&
                (!hint || hint_distance(word, kw) < hint_distance(word, hint))) {
                snprintf(hint_store, sizeof hint_store, "%s", kw);
                hint = hint_store;
            }
        }
    }
    const char *what = NULL;
    /* mistakes with a known fix: say it instead of listing tokens */
    const char *fix = NULL;
    if (is_char_symbol(got, '=') && expects(exp, nexp, YYSYMBOL_EQ))
        fix = "unexpected '='; to compare, write '=='";
    else if (is_char_symbol(got, ',') && expects(exp, nexp, YYSYMBOL_MODEL))
        fix = "unexpected ','; a flow is one chain: write a separate `flow` for each branch (`flow a -> b` and `flow a -> c`)";
    else if (ident_text && nexp == 1 && exp[0] == YYSYMBOL_STRING) {
        snprintf(msg, sizeof msg, "unexpected identifier '%.*s'; write it in quotes: \"%.*s\"",
                 (int)(loc->end - loc->start), f->text + loc->start, (int)(loc->end - loc->start), f->text + loc->start);
        fix = msg;
    } else if ((got == YYSYMBOL_NUMBER || got == YYSYMBOL_QUANTITY) && expects(exp, nexp, YYSYMBOL_WHEN) == false &&
               nexp == 2 && is_char_symbol(exp[0], '=') + is_char_symbol(exp[1], '=') == 1 &&
               is_char_symbol(exp[0], ':') + is_char_symbol(exp[1], ':') == 1) {
        bool route = P->nopen > 0 && P->open_overflow == 0 && P->open_route[P->nopen - 1];
        snprintf(msg, sizeof msg, "unexpected %s; %s", sym_text(got, buf, sizeof buf),
                 route ? "a ':' is missing before it (`successor: probability`)" : "a '=' is missing before it (`name = value`)");
        fix = msg;
    }
    else if (expects(exp, nexp, YYSYMBOL_FAILURE) &&
             (got == YYSYMBOL_MODEL || got == YYSYMBOL_SOURCE || got == YYSYMBOL_STATION || got == YYSYMBOL_BUFFER ||
              got == YYSYMBOL_CONVEYOR || got == YYSYMBOL_ASSEMBLY || got == YYSYMBOL_SINK || got == YYSYMBOL_FLOW ||
              got == YYSYMBOL_TEMPLATE || got == YYSYMBOL_FN || got == YYSYMBOL_IMPORT)) {
        snprintf(msg, sizeof msg, "missing '}' before %s (the declaration above is not closed)", sym_text(got, buf, sizeof buf));
        fix = msg;
    }
    if (!fix && got == YYSYMBOL_YYEOF && P->nopen > 0 && P->open_overflow == 0) {
        char o = P->open[P->nopen - 1];
        diag_error(P->dc, *loc, "missing '%c' at the end of the file", o == '{' ? '}' : o == '(' ? ')' : ']');
        diag_note(P->dc, P->open_loc[P->nopen - 1], "the unclosed '%c' is here", o);
        return 0;
    }
    if (fix) {
        diag_error(P->dc, *loc, "%s", fix);
        return 0;
    }
    if (nexp > 0 && nexp <= 4) {
        len += (size_t)snprintf(msg + len, len < sizeof msg ? sizeof msg - len : 0, ", expected ");
        for (int i = 0; i < nexp && len < sizeof msg; i++)
            len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s",
                                    i == 0 ? "" : i == nexp - 1 ? " or " : ", ", sym_text(exp[i], buf, sizeof buf));
    } else if (expects(exp, nexp, YYSYMBOL_NUMBER)) {
        what = "a value";
    } else if (expects(exp, nexp, YYSYMBOL_MODEL)) {
        what = "a declaration (model, part, source, station, buffer, conveyor, assembly, sink, flow, route, template, fn, import)";
    } else if (expects(exp, nexp, YYSYMBOL_FAILURE)) {
        what = "a property or '}'";
    } else if (expects(exp, nexp, YYSYMBOL_WHEN)) {
        what = "a route entry or '}'";
    }
    if (what && !hint && len < sizeof msg)
        len += (size_t)snprintf(msg + len, sizeof msg - len, ", expected %s", what);
    if (hint)
        diag_error(P->dc, *loc, "%s; did you mean '%s'?", msg, hint);
    else
        diag_error(P->dc, *loc, "%s", msg);
    return 0;
}

ast_node *parse_file(diag_ctx *dc, arena *a, uint32_t file, ptrvec *comments)
{
    parse_ctx P;
    memset(&P, 0, sizeof P);
    P.a = a;
    P.dc = dc;
    lex_init(&P.lex, dc, a, file);
    yyparse(&P);
    ast_node *root = P.root;
    if (!root) {
        fab_loc l = {file, 0, 0};
        root = ast_new(a, AST_FILE, l);
    }
    root->kind = AST_FILE;
    root->loc.file = file;
    root->loc.start = 0;
    /* reject items whose tree is too deep for the recursive passes */
    for (int i = 0; i < root->nkids; i++) {
        ast_node *it = root->kids[i];
        if (it && it->depth > AST_MAX_DEPTH) {
            diag_error(dc, it->loc, "expression nested too deeply (more than %d levels)", AST_MAX_DEPTH);
            root->kids[i] = ast_new(a, AST_ERROR, it->loc);
        }
    }
    if (comments)
        *comments = P.lex.comments;
    return root;
}
