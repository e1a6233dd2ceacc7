CREATE TABLE "decisions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "decisions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"ticker" text NOT NULL,
	"strategy" text NOT NULL,
	"action" text NOT NULL,
	"reason" text NOT NULL,
	"features" jsonb,
	"features_hash" text,
	"model_output" jsonb,
	"model_hash" text,
	"risk_ok" boolean,
	"risk_code" text,
	"risk_detail" text,
	"client_order_id" text,
	CONSTRAINT "decisions_action_check" CHECK ("decisions"."action" in ('trade', 'hold'))
);
--> statement-breakpoint
CREATE TABLE "fills" (
	"fill_id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"order_id" text NOT NULL,
	"client_order_id" text,
	"ticker" text NOT NULL,
	"book_side" text NOT NULL,
	"yes_price" integer NOT NULL,
	"count" integer NOT NULL,
	"fee" bigint NOT NULL,
	"is_taker" boolean NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "fills_book_side_check" CHECK ("fills"."book_side" in ('bid', 'ask'))
);
--> statement-breakpoint
CREATE TABLE "ledger" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "ledger_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"ticker" text,
	"ref" text NOT NULL,
	"amount" bigint NOT NULL,
	"balance_after" bigint,
	CONSTRAINT "ledger_kind_ref_key" UNIQUE("kind","ref"),
	CONSTRAINT "ledger_kind_check" CHECK ("ledger"."kind" in ('fill', 'fee', 'settlement', 'reconciliation'))
);
--> statement-breakpoint
CREATE TABLE "machine_transitions" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "machine_transitions_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"from_state" text NOT NULL,
	"to_state" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market_lifecycle_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "market_lifecycle_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"ticker" text NOT NULL,
	"event_type" text NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "market_prices" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "market_prices_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"ticker" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"yes_bid" integer,
	"yes_ask" integer,
	"yes_bid_size" integer NOT NULL,
	"yes_ask_size" integer NOT NULL,
	"last_price" integer
);
--> statement-breakpoint
CREATE TABLE "order_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "order_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"client_order_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"why" text
);
--> statement-breakpoint
CREATE TABLE "orderbook_deltas" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "orderbook_deltas_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"ticker" text NOT NULL,
	"sid" integer NOT NULL,
	"seq" integer NOT NULL,
	"side" text NOT NULL,
	"price" integer NOT NULL,
	"delta" integer NOT NULL,
	"client_order_id" text,
	"exchange_ts" timestamp with time zone,
	"received_at" timestamp with time zone NOT NULL,
	CONSTRAINT "orderbook_deltas_side_check" CHECK ("orderbook_deltas"."side" in ('yes', 'no'))
);
--> statement-breakpoint
CREATE TABLE "orderbook_snapshots" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "orderbook_snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"ticker" text NOT NULL,
	"sid" integer NOT NULL,
	"seq" integer NOT NULL,
	"yes" jsonb NOT NULL,
	"no" jsonb NOT NULL,
	"exchange_ts" timestamp with time zone,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "orders" (
	"client_order_id" text PRIMARY KEY NOT NULL,
	"session_id" text NOT NULL,
	"order_id" text,
	"ticker" text NOT NULL,
	"book_side" text NOT NULL,
	"yes_price" integer NOT NULL,
	"count" integer NOT NULL,
	"time_in_force" text NOT NULL,
	"post_only" boolean DEFAULT false NOT NULL,
	"reduce_only" boolean DEFAULT false NOT NULL,
	"strategy" text NOT NULL,
	"reason" text NOT NULL,
	"request" jsonb NOT NULL,
	"status" text NOT NULL,
	"fill_count" integer DEFAULT 0 NOT NULL,
	"fill_notional" bigint DEFAULT 0 NOT NULL,
	"fees" bigint DEFAULT 0 NOT NULL,
	"outcome" text,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "orders_order_id_key" UNIQUE("order_id"),
	CONSTRAINT "orders_book_side_check" CHECK ("orders"."book_side" in ('bid', 'ask'))
);
--> statement-breakpoint
CREATE TABLE "positions" (
	"session_id" text NOT NULL,
	"ticker" text NOT NULL,
	"position" integer NOT NULL,
	"cost_basis" bigint NOT NULL,
	"realized_pnl" bigint NOT NULL,
	"fees" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "positions_pkey" PRIMARY KEY("session_id","ticker")
);
--> statement-breakpoint
CREATE TABLE "risk_events" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "risk_events_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"kind" text NOT NULL,
	"reason" text NOT NULL,
	"detail" text NOT NULL,
	"data" jsonb
);
--> statement-breakpoint
CREATE TABLE "status_snapshots" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "status_snapshots_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"session_id" text NOT NULL,
	"at" timestamp with time zone NOT NULL,
	"state" text NOT NULL,
	"text" text NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trading_sessions" (
	"id" text PRIMARY KEY NOT NULL,
	"environment" text NOT NULL,
	"config" jsonb NOT NULL,
	"status" text NOT NULL,
	"dry_run" boolean DEFAULT false NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"data_gap" boolean DEFAULT false NOT NULL,
	"shed_rows" bigint DEFAULT 0 NOT NULL,
	"pid" integer,
	"host" text,
	"summary" jsonb,
	CONSTRAINT "trading_sessions_environment_check" CHECK ("trading_sessions"."environment" in ('sim', 'demo', 'production')),
	CONSTRAINT "trading_sessions_status_check" CHECK ("trading_sessions"."status" in ('running', 'ended', 'crashed'))
);
--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fills" ADD CONSTRAINT "fills_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger" ADD CONSTRAINT "ledger_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "machine_transitions" ADD CONSTRAINT "machine_transitions_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "market_lifecycle_events" ADD CONSTRAINT "market_lifecycle_events_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "order_events" ADD CONSTRAINT "order_events_client_order_id_orders_client_order_id_fk" FOREIGN KEY ("client_order_id") REFERENCES "public"."orders"("client_order_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "positions" ADD CONSTRAINT "positions_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "risk_events" ADD CONSTRAINT "risk_events_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "status_snapshots" ADD CONSTRAINT "status_snapshots_session_id_trading_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."trading_sessions"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "decisions_session_at_idx" ON "decisions" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "decisions_client_order_id_idx" ON "decisions" USING btree ("client_order_id");--> statement-breakpoint
CREATE INDEX "fills_order_id_idx" ON "fills" USING btree ("order_id");--> statement-breakpoint
CREATE INDEX "fills_session_created_idx" ON "fills" USING btree ("session_id","created_at");--> statement-breakpoint
CREATE INDEX "ledger_session_id_idx" ON "ledger" USING btree ("session_id","id");--> statement-breakpoint
CREATE INDEX "machine_transitions_session_at_idx" ON "machine_transitions" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "market_lifecycle_events_session_at_idx" ON "market_lifecycle_events" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "market_prices_session_at_idx" ON "market_prices" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "market_prices_ticker_at_idx" ON "market_prices" USING btree ("ticker","at");--> statement-breakpoint
CREATE INDEX "order_events_client_order_id_idx" ON "order_events" USING btree ("client_order_id","id");--> statement-breakpoint
CREATE INDEX "orderbook_deltas_session_received_idx" ON "orderbook_deltas" USING btree ("session_id","received_at");--> statement-breakpoint
CREATE INDEX "orderbook_snapshots_session_received_idx" ON "orderbook_snapshots" USING btree ("session_id","received_at");--> statement-breakpoint
CREATE INDEX "orders_status_idx" ON "orders" USING btree ("status");--> statement-breakpoint
CREATE INDEX "orders_session_created_idx" ON "orders" USING btree ("session_id","created_at");--> statement-breakpoint
CREATE INDEX "risk_events_session_at_idx" ON "risk_events" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "status_snapshots_session_at_idx" ON "status_snapshots" USING btree ("session_id","at");--> statement-breakpoint
CREATE INDEX "trading_sessions_started_at_idx" ON "trading_sessions" USING btree ("started_at");